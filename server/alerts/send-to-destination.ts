import { Resend } from "resend";
import type { Db } from "@/server/db/client";
import type { AlertDestination, EmailRecipients } from "@/server/db/schema";
import { renderEmail } from "@/server/email/render-email";
import { retryAfterMs } from "@/server/email/retry-delay";
import { env, publicUrl } from "@/server/env";
import { AppError } from "@/server/errors";
import { postOutbound } from "@/server/security/outbound-post";
import { checkOutboundUrl } from "@/server/security/outbound-url";
import { decryptSecret } from "@/server/security/secret-box";
import type { AlertContext } from "./alert-context";
import { alertEmail, digestEmail } from "./alert-email";
import { confirmedAddresses, memberAddresses, requestAddressConfirmations } from "./alert-email-subscriptions";
import { releaseAlertEmails, reserveAlertEmails } from "../billing/alert-mail-quota";
import { slackDigestMessage, slackMessage } from "./slack-message";
import { webhookDigestPayload, webhookPayload } from "./webhook-payload";
import { signatureHeader } from "./webhook-signature";

export const SEND_TIMEOUT_MS = 10_000;
const MAX_RECIPIENTS = 100;

/** What to send: one alert with its rendered message, or a digest of several. */
export type AlertPayload =
  | { kind: "alert"; deliveryId: string; context: AlertContext; message: string }
  | { kind: "digest"; deliveryId: string; items: AlertContext[]; workspace: { name: string; slug: string } };

/**
 * - sent / kept: done (kept = no RESEND_API_KEY; the emails are in the dev mailbox)
 * - retry: try again later (5xx, 429, network, timeout)
 * - gone: the destination says it no longer exists (404/410); repeated, it is disabled
 * - failed: sending the same thing again cannot work (a 4xx other than those)
 * - skipped: not sent on purpose (the plan's alert email allowance is used up)
 */
export type SendResult = {
  outcome: "sent" | "kept" | "retry" | "gone" | "failed" | "skipped";
  responseCode: number | null;
  error: string | null;
  retryAfterMs: number | null;
  /** An acting action: what it did ("Started run daring-lemur") and the run it started or cancelled. */
  detail?: string;
  runId?: string | null;
  /** For `kept`: the rendered emails to store in the dev mailbox. */
  kept?: { to: string; template: string; subject: string; html: string; text: string }[];
};

type Destination = Pick<AlertDestination, "id" | "workspaceId" | "kind" | "recipients" | "secret">;

export async function sendToDestination(db: Db, destination: Destination, payload: AlertPayload): Promise<SendResult> {
  try {
    switch (destination.kind) {
      case "slack":
        return await sendSlack(destination, payload);
      case "webhook":
        return await sendWebhook(destination, payload);
      case "email":
        return await sendEmailAlert(db, destination, payload);
      default:
        // Actions that act are performed by performActAction (deliver-alerts routes them there).
        return { outcome: "failed", responseCode: null, error: `A ${destination.kind} action sends no message.`, retryAfterMs: null };
    }
  } catch (err) {
    // A URL that is no longer allowed (e.g. its name now resolves to a private address) will not fix itself by retrying.
    if (err instanceof AppError) return { outcome: "failed", responseCode: null, error: err.message, retryAfterMs: null };
    return { outcome: "retry", responseCode: null, error: describeError(err), retryAfterMs: null };
  }
}

async function sendSlack(destination: Destination, payload: AlertPayload): Promise<SendResult> {
  const url = await checkOutboundUrl(decryptSecret(destination.secret!), "The Slack webhook URL");
  const message =
    payload.kind === "alert" ? slackMessage(payload.context, payload.message) : slackDigestMessage(payload.items, payload.workspace, workspaceUrl(payload.workspace.slug));
  return post(url, JSON.stringify(message), {});
}

async function sendWebhook(destination: Destination, payload: AlertPayload): Promise<SendResult> {
  const { url: raw, secret } = JSON.parse(decryptSecret(destination.secret!)) as { url: string; secret: string };
  const url = await checkOutboundUrl(raw, "The webhook URL");
  const body = JSON.stringify(
    payload.kind === "alert" ? webhookPayload(payload.deliveryId, payload.context, payload.message) : webhookDigestPayload(payload.deliveryId, payload.items),
  );
  return post(url, body, { "baton-delivery": payload.deliveryId, "baton-signature": signatureHeader(secret, Math.floor(Date.now() / 1000), body) });
}

async function post(url: URL, body: string, headers: Record<string, string>): Promise<SendResult> {
  const res = await postOutbound(url, body, { "content-type": "application/json", "user-agent": "Baton-Alerts/1", ...headers }, SEND_TIMEOUT_MS);
  const code = res.status;
  if (code >= 200 && code < 300) return { outcome: "sent", responseCode: code, error: null, retryAfterMs: null };
  const error = `HTTP ${code}${res.text ? `: ${res.text}` : ""}`;
  if (code === 404 || code === 410) return { outcome: "gone", responseCode: code, error, retryAfterMs: null };
  if (code === 429 || code === 408 || code >= 500) return { outcome: "retry", responseCode: code, error, retryAfterMs: retryAfterMs(res.retryAfter) };
  return { outcome: "failed", responseCode: code, error: code >= 300 && code < 400 ? `${error} (redirects are not followed; use the final URL)` : error, retryAfterMs: null };
}

async function sendEmailAlert(db: Db, destination: Destination, payload: AlertPayload): Promise<SendResult> {
  await askUnaskedAddresses(db, destination);
  const to = await resolveRecipients(db, destination.workspaceId, destination.recipients ?? { userIds: [], roles: [], addresses: [] });
  if (to.length === 0) {
    return { outcome: "failed", responseCode: null, error: "No recipients: the chosen members have no verified email address, and no listed address has confirmed yet.", retryAfterMs: null };
  }
  // Metered here, where the recipients are known; a test (to the tester only, rate-limited) is not.
  const metered = payload.kind === "alert" && payload.context.test ? 0 : to.length;
  const refusal = await reserveAlertEmails(db, destination.workspaceId, metered);
  if (refusal) return { outcome: "skipped", responseCode: null, error: refusal, retryAfterMs: null };
  const result = await sendEmails(destination, payload, to).catch((err: unknown) => ({ outcome: "retry" as const, responseCode: null, error: describeError(err), retryAfterMs: null }));
  if (result.outcome !== "sent" && result.outcome !== "kept") await releaseAlertEmails(db, destination.workspaceId, metered);
  return result;
}

async function sendEmails(destination: Destination, payload: AlertPayload, to: Recipient[]): Promise<SendResult> {
  const { template, props } =
    payload.kind === "alert" ? alertEmail(payload.context, payload.message) : digestEmail(payload.items, payload.workspace, workspaceUrl(payload.workspace.slug));
  // Members share one rendering; each external address gets its own, with its unsubscribe link.
  const forMembers = await renderEmail(template, props as never);
  const mails = await Promise.all(
    to.map(async (r) => ({ to: r.address, ...(r.unsubscribeUrl ? await renderEmail(template, { ...props, unsubscribeUrl: r.unsubscribeUrl } as never) : forMembers) })),
  );
  const { RESEND_API_KEY, RESEND_BASE_URL, EMAIL_FROM } = env();
  if (!RESEND_API_KEY) {
    return { outcome: "kept", responseCode: null, error: null, retryAfterMs: null, kept: mails.map((m) => ({ ...m, template })) };
  }
  const resend = new Resend(RESEND_API_KEY, RESEND_BASE_URL ? { baseUrl: RESEND_BASE_URL.replace(/\/+$/, "") } : undefined);
  // One request, one email per recipient (nobody sees the others' addresses), under one
  // idempotency key: a resend after a crash is recognised by Resend and not delivered twice.
  const { error, headers } = await resend.batch.send(
    mails.map((m) => ({ from: EMAIL_FROM, to: m.to, subject: m.subject, html: m.html, text: m.text })),
    { idempotencyKey: payload.deliveryId, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) },
  );
  if (!error) return { outcome: "sent", responseCode: 200, error: null, retryAfterMs: null };
  const code = error.statusCode ?? null;
  const message = `${error.name}${code ? ` (HTTP ${code})` : ""}: ${error.message}`.slice(0, 500);
  const retryable = code === null || code === 429 || code >= 500;
  return { outcome: retryable ? "retry" : "failed", responseCode: code, error: message, retryAfterMs: retryAfterMs(headers?.["retry-after"]) };
}

/**
 * Addresses saved before confirmations existed were never asked, and would wait for ever: ask
 * them when their action first fires after the upgrade. Past the daily allowance they stay
 * unasked and the next alert tries again; the alert itself goes on to the others.
 */
async function askUnaskedAddresses(db: Db, destination: Destination) {
  const addresses = destination.recipients?.addresses ?? [];
  try {
    await requestAddressConfirmations(db, destination.workspaceId, null, addresses);
  } catch (err) {
    if (!(err instanceof AppError && err.code === "TOO_MANY_REQUESTS")) throw err;
  }
}

type Recipient = { address: string; unsubscribeUrl: string | null };

/**
 * Who gets the mail, decided now: chosen members and members of the chosen roles whose address is
 * verified, listed addresses of verified members, and listed external addresses that confirmed
 * (with their unsubscribe link). Deduplicated.
 */
export async function resolveRecipients(db: Db, workspaceId: string, recipients: EmailRecipients): Promise<Recipient[]> {
  const { rows } = await db.$client.query<{ email: string }>(
    `select lower(u.email) as email from memberships m join users u on u.id = m.user_id
      where m.workspace_id = $1 and u.email_verified_at is not null
        and (m.user_id = any($2::uuid[]) or m.role = any($3::text[]) or lower(u.email) = any($4::text[]))`,
    [workspaceId, recipients.userIds, recipients.roles, recipients.addresses],
  );
  const members = new Set(rows.map((r) => r.email));
  // A member's own address listed as an address goes as a member, never through a subscription.
  const all = await memberAddresses(db, workspaceId, recipients.addresses);
  const external = await confirmedAddresses(db, workspaceId, recipients.addresses.filter((a) => !all.has(a)));
  return [...[...members].map((address) => ({ address, unsubscribeUrl: null })), ...external].slice(0, MAX_RECIPIENTS);
}

function workspaceUrl(slug: string): string {
  return `${publicUrl()}/w/${slug}`;
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `: ${cause.message}` : "";
    return `${err.name === "TimeoutError" ? "Timed out" : err.message}${detail}`.slice(0, 500);
  }
  return String(err).slice(0, 500);
}
