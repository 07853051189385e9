import { and, eq, inArray, lte, sql, type SQL } from "drizzle-orm";
import { Resend, type ErrorResponse } from "resend";
import type { Db } from "@/server/db/client";
import { emailMessages } from "@/server/db/schema";
import { env } from "@/server/env";
import { backoffMs, retryAfterMs } from "./retry-delay";

const MAX_ATTEMPTS = 8;
const SEND_TIMEOUT_MS = 30_000;
/**
 * A claimed row is pushed this far into the future. If the sender dies mid-send, the row becomes
 * due again after the lease and is resent under the same idempotency key, so Resend sends it once.
 */
const LEASE = sql`now() + interval '2 minutes'`;
/** Errors about the message itself: sending the same message again cannot succeed. */
const PERMANENT_ERRORS = new Set([
  "validation_error",
  "missing_required_field",
  "invalid_parameter",
  "invalid_attachment",
  "invalid_idempotent_request",
]);

export type DeliveryOutcome = "sent" | "retry" | "failed";
export type DeliveryReport = Record<DeliveryOutcome, number>;

type Claimed = { id: string; to: string; subject: string; html: string; text: string; attempts: number };

/** Sends every queued email that is due (up to `limit`), one at a time. Safe to run in several processes. */
export async function deliverDueEmails(db: Db, { limit = 20 }: { limit?: number } = {}): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, retry: 0, failed: 0 };
  const resend = resendClient();
  if (!resend) return report;
  for (const row of await claim(db, undefined, limit)) report[await attempt(db, resend, row)]++;
  return report;
}

/** Tries one email now, if it is queued and due; null when there was nothing to do. */
export async function deliverEmail(db: Db, id: string): Promise<DeliveryOutcome | null> {
  const resend = resendClient();
  if (!resend) return null;
  const [row] = await claim(db, eq(emailMessages.id, id), 1);
  return row ? attempt(db, resend, row) : null;
}

function resendClient(): Resend | null {
  const { RESEND_API_KEY, RESEND_BASE_URL } = env();
  if (!RESEND_API_KEY) return null;
  return new Resend(RESEND_API_KEY, RESEND_BASE_URL ? { baseUrl: RESEND_BASE_URL.replace(/\/+$/, "") } : undefined);
}

/** Counts the attempt and leases the rows in one statement, so no other sender picks them up. */
async function claim(db: Db, filter: SQL | undefined, limit: number): Promise<Claimed[]> {
  const due = db
    .select({ id: emailMessages.id })
    .from(emailMessages)
    .where(and(eq(emailMessages.status, "queued"), lte(emailMessages.nextAttemptAt, sql`now()`), filter))
    .orderBy(emailMessages.nextAttemptAt)
    .limit(limit)
    .for("update", { skipLocked: true });
  return db
    .update(emailMessages)
    .set({ attempts: sql`${emailMessages.attempts} + 1`, nextAttemptAt: LEASE })
    .where(inArray(emailMessages.id, due))
    .returning({
      id: emailMessages.id,
      to: emailMessages.to,
      subject: emailMessages.subject,
      html: emailMessages.html,
      text: emailMessages.text,
      attempts: emailMessages.attempts,
    });
}

async function attempt(db: Db, resend: Resend, row: Claimed): Promise<DeliveryOutcome> {
  const { data, error, headers } = await send(resend, row);
  if (!error) {
    await db
      .update(emailMessages)
      .set({ status: "sent", providerId: data.id ?? null, sentAt: sql`now()`, lastError: null })
      .where(eq(emailMessages.id, row.id));
    return "sent";
  }
  const lastError = describe(error);
  if (row.attempts >= MAX_ATTEMPTS || PERMANENT_ERRORS.has(error.name)) {
    await db.update(emailMessages).set({ status: "failed", lastError }).where(eq(emailMessages.id, row.id));
    console.error(`[email] gave up on ${row.id} after ${row.attempts} attempt(s): ${lastError}`);
    return "failed";
  }
  const delayMs = retryAfterMs(headers?.["retry-after"]) ?? backoffMs(row.attempts);
  await db
    .update(emailMessages)
    .set({ lastError, nextAttemptAt: sql`now() + make_interval(secs => ${delayMs / 1000})` })
    .where(eq(emailMessages.id, row.id));
  return "retry";
}

async function send(resend: Resend, row: Claimed): ReturnType<Resend["emails"]["send"]> {
  try {
    return await resend.emails.send(
      { from: env().EMAIL_FROM, to: row.to, subject: row.subject, html: row.html, text: row.text },
      { idempotencyKey: row.id, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) },
    );
  } catch (err) {
    // The SDK reports most failures as values, but rethrows an abort (our timeout) while reading the body.
    const message = err instanceof Error ? err.message : String(err);
    return { data: null, error: { name: "application_error", statusCode: null, message }, headers: null };
  }
}

function describe(error: ErrorResponse): string {
  const status = error.statusCode ? ` (HTTP ${error.statusCode})` : "";
  return `${error.name ?? "error"}${status}: ${error.message ?? "no message"}`.slice(0, 2000);
}
