import type pg from "pg";
import type { Db } from "@/server/db/client";
import type { AlertDestination } from "@/server/db/schema";
import { withPgTransaction } from "@/server/db/pg-transaction";
import { backoffMs } from "@/server/email/retry-delay";
import type { AlertEvent } from "./alert-event";
import { loadAlertContext, loadDigestContexts } from "./load-alert-context";
import { renderMessageTemplate } from "./message-template";
import { notifyOwnersOfDisabledDestination } from "./notify-disabled-destination";
import { performActAction } from "./perform-act-action";
import { isActAction } from "../../agent/protocol/automations";
import { SEND_TIMEOUT_MS, sendToDestination, type AlertPayload, type SendResult } from "./send-to-destination";

/** A claimed delivery is pushed this far ahead; if the sender dies mid-send it is sent again after it, under the same id. */
export const LEASE_SECONDS = SEND_TIMEOUT_MS / 1000 + 5;
/** Retries stop this long after the alert was queued. */
const GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1000;
/** More than this many alerts to one destination within a minute are a burst: the rest go out as one digest. */
export const BURST_LIMIT = 10;
/** In a burst, the digest waits for this much quiet (or at most DIGEST_MAX_WAIT_MS) so it names the whole burst. */
const DIGEST_QUIET_MS = 3_000;
const DIGEST_MAX_WAIT_MS = 20_000;
/** Slack allows about one message per second per incoming webhook. */
const SLACK_PACE_MS = 1_000;
/** Consecutive 404/410 answers after which a destination is disabled. */
export const GONE_LIMIT = 3;
/** Destinations worked on at once. */
const PARALLEL = 8;

type Destination = Pick<AlertDestination, "id" | "workspaceId" | "automationId" | "kind" | "recipients" | "secret" | "target"> & {
  lastDigestAt: Date | null;
  config?: AlertDestination["config"];
};
type Claimed = { id: string; kind: "alert" | "digest" | "test"; event: AlertEvent; attempts: number; createdAt: Date; template: string | null };

/**
 * The notifier's tick: for every destination with due deliveries, sends the next one (or a digest
 * of a burst), paced and leased so that each alert goes out once. Returns how many were attempted.
 */
export async function deliverDueAlerts(db: Db, { limit = 100 }: { limit?: number } = {}): Promise<number> {
  const { rows } = await db.$client.query<{ destination_id: string }>(
    `select destination_id from alert_deliveries
      where status = 'pending' and kind <> 'test' and next_attempt_at <= now()
      group by destination_id limit $1`,
    [limit],
  );
  let attempted = 0;
  const queue = rows.map((r) => r.destination_id);
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL, queue.length) }, async () => {
      for (let id = queue.shift(); id; id = queue.shift()) if (await deliverNext(db, id)) attempted++;
    }),
  );
  return attempted;
}

/** Claims and sends the next delivery of one destination, if it may send now. */
async function deliverNext(db: Db, destinationId: string): Promise<boolean> {
  const job = await withPgTransaction(db.$client, (client) => claimNext(client, destinationId));
  if (!job) return false;
  await attemptDelivery(db, job.destination, job.delivery);
  return true;
}

async function claimNext(client: pg.PoolClient, destinationId: string): Promise<{ destination: Destination; delivery: Claimed } | null> {
  const { rows: destinations } = await client.query<Destination>(
    `select id, workspace_id as "workspaceId", automation_id as "automationId", kind, recipients, secret, target, last_digest_at as "lastDigestAt", config
       from alert_destinations where id = $1 and disabled_at is null and next_send_at <= now()
        for update skip locked`,
    [destinationId],
  );
  const destination = destinations[0];
  if (!destination) return null;
  const { rows: due } = await client.query<{ id: string; kind: string; created_at: Date }>(
    `select id, kind, created_at from alert_deliveries
      where destination_id = $1 and status = 'pending' and kind <> 'test' and next_attempt_at <= now()
      order by created_at limit 1000 for update skip locked`,
    [destinationId],
  );
  if (due.length === 0) return null;

  let pickId = due.find((d) => d.kind === "digest")?.id;
  // An action that acts does its thing for every event: a burst is never folded into a digest.
  if (isActAction(destination.kind)) pickId = due[0].id;
  if (!pickId) {
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from alert_deliveries where destination_id = $1 and kind = 'alert' and created_at > now() - interval '1 minute'`,
      [destinationId],
    );
    if (rows[0].n <= BURST_LIMIT) pickId = due[0].id;
    else {
      const digestId = await coalesceBurst(client, destination, due);
      if (!digestId) return null;
      pickId = digestId;
    }
  }
  const { rows: claimed } = await client.query<Claimed>(
    `update alert_deliveries d set attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => ${LEASE_SECONDS})
       from automations a
      where d.id = $1 and a.id = d.automation_id
      returning d.id, d.kind, d.event, d.attempts, d.created_at as "createdAt", a.template`,
    [pickId],
  );
  if (destination.kind === "slack") {
    await client.query(`update alert_destinations set next_send_at = now() + make_interval(secs => ${SLACK_PACE_MS / 1000}) where id = $1`, [destinationId]);
  }
  return { destination, delivery: claimed[0] };
}

/**
 * A burst: the pending alerts become one digest, at most one per destination per minute, sent
 * once the burst has been quiet for a moment (so one digest names it all). Null = not yet.
 */
async function coalesceBurst(client: pg.PoolClient, destination: Destination, due: { id: string; kind: string; created_at: Date }[]): Promise<string | null> {
  const now = Date.now();
  if (destination.lastDigestAt && now - destination.lastDigestAt.getTime() < 60_000) {
    await client.query(`update alert_destinations set next_send_at = $2 where id = $1`, [destination.id, new Date(destination.lastDigestAt.getTime() + 60_000)]);
    return null;
  }
  const alerts = due.filter((d) => d.kind === "alert");
  const newest = Math.max(...alerts.map((d) => d.created_at.getTime()));
  const oldest = Math.min(...alerts.map((d) => d.created_at.getTime()));
  if (now - newest < DIGEST_QUIET_MS && now - oldest < DIGEST_MAX_WAIT_MS) return null;
  const ids = alerts.map((d) => d.id);
  const { rows } = await client.query<{ id: string }>(
    `insert into alert_deliveries (workspace_id, automation_id, destination_id, kind, dedupe_key, event)
     values ($1, $2, $3, 'digest', 'digest:' || gen_random_uuid(), jsonb_build_object('trigger', 'digest', 'deliveryIds', $4::jsonb, 'at', now()))
     returning id`,
    [destination.workspaceId, destination.automationId, destination.id, JSON.stringify(ids)],
  );
  const digestId = rows[0].id;
  await client.query(`update alert_deliveries set status = 'coalesced', digest_id = $2, sent_at = now() where id = any($1::uuid[])`, [ids, digestId]);
  await client.query(`update alert_destinations set last_digest_at = now() where id = $1`, [destination.id]);
  return digestId;
}

/** Renders and sends one claimed delivery, then records the attempt and its consequences. */
export async function attemptDelivery(db: Db, destination: Destination, delivery: Claimed): Promise<SendResult> {
  const started = Date.now();
  let result: SendResult;
  try {
    result = isActAction(destination.kind)
      ? await performActAction(db, { ...destination, config: destination.config ?? null }, delivery)
      : await sendToDestination(db, destination, await payloadFor(db, delivery));
  } catch (err) {
    const what = isActAction(destination.kind) ? "Could not do it yet" : "Could not build the message";
    result = { outcome: "retry", responseCode: null, error: `${what}: ${(err as Error).message}`.slice(0, 500), retryAfterMs: null };
  }
  const disabled = await recordAttempt(db, destination, delivery, result, Date.now() - started);
  if (disabled) await notifyOwnersOfDisabledDestination(db, destination.id);
  return result;
}

async function payloadFor(db: Db, delivery: Claimed): Promise<AlertPayload> {
  if (delivery.event.trigger === "digest") {
    // A digest carries at least one alert (loading one that is gone throws, and the send is retried).
    const items = await loadDigestContexts(db, delivery.event.deliveryIds);
    return { kind: "digest", deliveryId: delivery.id, items, workspace: items[0].workspace };
  }
  const context = await loadAlertContext(db, delivery.id);
  return { kind: "alert", deliveryId: delivery.id, context, message: renderMessageTemplate(delivery.template, context) };
}

/** Returns true when this attempt disabled the destination. */
async function recordAttempt(db: Db, destination: Destination, delivery: Claimed, result: SendResult, durationMs: number): Promise<boolean> {
  const test = delivery.kind === "test";
  const expired = Date.now() - delivery.createdAt.getTime() > GIVE_UP_AFTER_MS;
  const final = result.outcome !== "retry" && result.outcome !== "gone" ? true : test || expired;
  return withPgTransaction(db.$client, async (client) => {
    // The automation's page shows every attempt live (delivered on commit).
    await client.query(`select pg_notify('baton_events', json_build_object('w', $1::text, 'kind', 'automation', 'ids', json_build_array($2::text))::text)`, [
      destination.workspaceId,
      destination.automationId,
    ]);
    await client.query(
      `insert into alert_attempts (workspace_id, delivery_id, outcome, response_code, error, detail, run_id, duration_ms) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [destination.workspaceId, delivery.id, attemptOutcome(result.outcome, final), result.responseCode, result.error, result.detail ?? null, result.runId ?? null, durationMs],
    );
    if (result.outcome === "sent" || result.outcome === "kept") {
      await client.query(`update alert_deliveries set status = 'sent', sent_at = now(), last_error = null where id = $1`, [delivery.id]);
      for (const mail of result.kept ?? []) {
        await client.query(
          `insert into email_messages (workspace_id, template, "to", subject, html, text, status) values ($1, $2, $3, $4, $5, $6, 'kept')`,
          [destination.workspaceId, mail.template, mail.to, mail.subject, mail.html, mail.text],
        );
      }
      if (!test) await client.query(`update alert_destinations set consecutive_gone = 0 where id = $1`, [destination.id]);
      return false;
    }
    if (result.outcome === "skipped") {
      await client.query(`update alert_deliveries set status = 'skipped', last_error = $2 where id = $1`, [delivery.id, result.error]);
      return false;
    }
    if (final) {
      await client.query(`update alert_deliveries set status = 'failed', last_error = $2 where id = $1`, [delivery.id, expired && !test ? `Gave up after 24 hours: ${result.error}` : result.error]);
    } else {
      const delayMs = result.retryAfterMs ?? backoffMs(delivery.attempts);
      await client.query(`update alert_deliveries set last_error = $2, next_attempt_at = now() + make_interval(secs => $3::double precision) where id = $1`, [
        delivery.id,
        result.error,
        delayMs / 1000,
      ]);
      if (result.responseCode === 429) {
        await client.query(`update alert_destinations set next_send_at = greatest(next_send_at, now() + make_interval(secs => $2::double precision)) where id = $1`, [destination.id, delayMs / 1000]);
      }
    }
    if (result.outcome !== "gone" || test) return false;
    const { rows } = await client.query<{ consecutive_gone: number }>(
      `update alert_destinations set consecutive_gone = consecutive_gone + 1 where id = $1 returning consecutive_gone`,
      [destination.id],
    );
    if ((rows[0]?.consecutive_gone ?? 0) < GONE_LIMIT) return false;
    const reason = `It answered ${result.error?.slice(0, 200)} ${GONE_LIMIT} times in a row, so Baton stopped sending to it.`;
    await client.query(`update alert_destinations set disabled_at = now(), disabled_reason = $2 where id = $1`, [destination.id, reason]);
    await client.query(
      `update alert_deliveries set status = 'skipped', last_error = 'The destination was disabled.' where destination_id = $1 and status = 'pending'`,
      [destination.id],
    );
    return true;
  });
}

/** The attempt as listed: a skipped send (over the plan's allowance) shows as failed with its reason. */
function attemptOutcome(outcome: SendResult["outcome"], final: boolean): "sent" | "kept" | "retry" | "failed" {
  if (outcome === "gone") return final ? "failed" : "retry";
  return outcome === "skipped" ? "failed" : outcome;
}
