import { eq } from "drizzle-orm";
import type { Db } from "@/server/db/client";
import { users } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { hitRateLimit } from "@/server/security/rate-limit";
import { attemptDelivery, LEASE_SECONDS } from "./deliver-alerts";
import { isActAction } from "../../agent/protocol/automations";

/** Tests per workspace per minute: enough to check a few actions, too few to mail anyone in bulk. */
export const TESTS_PER_MINUTE = 10;

export type TestAlertResult = { outcome: "sent" | "retry" | "failed" | "kept"; responseCode: number | null; error: string | null };

/**
 * "Send test": delivers a sample alert to one destination now (even a disabled one, so a fixed
 * URL can be checked before re-enabling it) and records the attempt on the automation's page.
 * A test is tried once; it never counts towards disabling the destination.
 *
 * An email test goes only to the person testing, at their own verified address, whoever the action
 * lists: otherwise "Send test" would mail the developer's text to any addresses, unconfirmed and
 * without limit. `testerId` is the signed-in user, or the creator of the API key.
 */
export async function sendTestAlert(db: Db, args: { workspaceId: string; destinationId: string; testerId: string | null }): Promise<TestAlertResult> {
  const limit = await hitRateLimit(db, `send-test:${args.workspaceId}`, { limit: TESTS_PER_MINUTE, windowSeconds: 60 });
  if (!limit.allowed) {
    throw new AppError("TOO_MANY_REQUESTS", `Send test is limited to ${TESTS_PER_MINUTE} per minute per workspace. Try again in ${limit.retryAfterSeconds} s.`);
  }
  const { rows: kinds } = await db.$client.query<{ kind: string }>(`select kind from alert_destinations where id = $1 and workspace_id = $2`, [args.destinationId, args.workspaceId]);
  if (kinds[0] && isActAction(kinds[0].kind)) {
    throw new AppError("BAD_REQUEST", "Send test is for actions that notify. This one acts (it would really start, pause or cancel something): to try it, make its event happen, e.g. run the upstream deployment.");
  }
  const { rows } = await db.$client.query(
    `with dest as (
       select id, workspace_id, automation_id, kind, recipients, secret, target, last_digest_at from alert_destinations where id = $1 and workspace_id = $2
     ), ins as (
       insert into alert_deliveries (workspace_id, automation_id, destination_id, kind, dedupe_key, event, attempts, next_attempt_at)
       select workspace_id, automation_id, id, 'test', 'test:' || gen_random_uuid(), jsonb_build_object('trigger', 'test', 'at', now()), 1,
              now() + make_interval(secs => ${LEASE_SECONDS})
         from dest
       returning id, kind, event, attempts, created_at
     )
     select dest.id as "destinationId", dest.workspace_id as "workspaceId", dest.automation_id as "automationId", dest.kind, dest.recipients,
            dest.secret, dest.target, dest.last_digest_at as "lastDigestAt", ins.id as "deliveryId", ins.event, ins.attempts, ins.created_at as "createdAt",
            (select template from automations where id = dest.automation_id) as template
       from dest join ins on true`,
    [args.destinationId, args.workspaceId],
  );
  const r = rows[0];
  if (!r) throw new AppError("NOT_FOUND", "That alert destination does not exist in this workspace.");
  if (r.kind === "email") r.recipients = { userIds: [await verifiedTester(db, args.testerId)], roles: [], addresses: [] };
  const result = await attemptDelivery(
    db,
    { id: r.destinationId, workspaceId: r.workspaceId, automationId: r.automationId, kind: r.kind, recipients: r.recipients, secret: r.secret, target: r.target, lastDigestAt: r.lastDigestAt },
    { id: r.deliveryId, kind: "test", event: r.event, attempts: r.attempts, createdAt: r.createdAt, template: r.template },
  );
  return { outcome: result.outcome === "gone" || result.outcome === "skipped" ? "failed" : result.outcome, responseCode: result.responseCode, error: result.error };
}

async function verifiedTester(db: Db, testerId: string | null): Promise<string> {
  const [user] = testerId ? await db.select({ verifiedAt: users.emailVerifiedAt }).from(users).where(eq(users.id, testerId)) : [];
  if (!user) throw new AppError("BAD_REQUEST", "A test email goes to the person sending it, and this API key has no user any more. Send the test from the automation's page.");
  if (!user.verifiedAt) throw new AppError("BAD_REQUEST", "A test email goes to your own address, which is not verified yet. Use the link in the verification email (or “Resend email” in the banner), then try again.");
  return testerId!;
}
