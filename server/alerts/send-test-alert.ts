import type { Db } from "@/server/db/client";
import { AppError } from "@/server/errors";
import { attemptDelivery, LEASE_SECONDS } from "./deliver-alerts";

export type TestAlertResult = { outcome: "sent" | "retry" | "failed" | "kept"; responseCode: number | null; error: string | null };

/**
 * "Send test": delivers a sample alert to one destination now (even a disabled one, so a fixed
 * URL can be checked before re-enabling it) and records the attempt on the automation's page.
 * A test is tried once; it never counts towards disabling the destination.
 */
export async function sendTestAlert(db: Db, args: { workspaceId: string; destinationId: string }): Promise<TestAlertResult> {
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
  const result = await attemptDelivery(
    db,
    { id: r.destinationId, workspaceId: r.workspaceId, automationId: r.automationId, kind: r.kind, recipients: r.recipients, secret: r.secret, target: r.target, lastDigestAt: r.lastDigestAt },
    { id: r.deliveryId, kind: "test", event: r.event, attempts: r.attempts, createdAt: r.createdAt, template: r.template },
  );
  return { outcome: result.outcome === "gone" ? "failed" : result.outcome, responseCode: result.responseCode, error: result.error };
}
