import type { Db } from "../db/client";
import { env } from "../env";
import { deliverDueAlerts } from "../alerts/deliver-alerts";
import { watchAlertConditions } from "../alerts/watch-alert-conditions";
import { deliverDueEmails } from "../email/deliver-emails";
import { fillSchedules } from "../scheduling/fill-schedules";
import { markLateRuns } from "../scheduling/mark-late-runs";
import { skipMissedRuns } from "../scheduling/skip-missed-runs";
import { reapExpiredLeases } from "../orchestration/reap-expired-leases";
import { failExpiredPauses } from "../pauses/fail-expired-pauses";
import { REAPER_INTERVAL_SECONDS } from "../../agent/protocol/leases";
import { clusterHearingSince, forgetGoneInstances } from "../orchestration/hearing";
import { deleteExpiredRateLimitBuckets } from "../security/rate-limit";
import { deleteExpiredDeviceAuthorizations } from "../device-auth/delete-expired-device-authorizations";
import { startLeaderLoops, type LoopSpec } from "./leader-loop";
import { deleteExpiredData } from "./retention";
import { cascadeCancellations } from "../runs/cascade-cancellations";
import { billingEnabled } from "../billing/plans";
import { deleteExpiredDataByPlan } from "../billing/plan-retention";

/** Advisory lock keys, one per loop; fixed so every instance competes for the same ones. */
export const SERVICE_LOCKS = { mailer: 727_101, housekeeping: 727_102, scheduler: 727_103, lateMarker: 727_104, retention: 727_105, leaseReaper: 727_106, notifier: 727_107, alertWatcher: 727_108, cancelCascade: 727_109 } as const;

export function startBackgroundServices(db: Db, databaseUrl: string) {
  const e = env();
  const loops: LoopSpec[] = [
    {
      name: "housekeeping",
      lockKey: SERVICE_LOCKS.housekeeping,
      intervalMs: 10 * 60_000,
      task: async () => {
        await deleteExpiredRateLimitBuckets(db);
        await deleteExpiredDeviceAuthorizations(db);
        await forgetGoneInstances(db.$client);
      },
    },
    { name: "scheduler", lockKey: SERVICE_LOCKS.scheduler, intervalMs: 5_000, task: async () => void (await fillSchedules(db, { now: new Date() })) },
    {
      name: "late-marker",
      lockKey: SERVICE_LOCKS.lateMarker,
      intervalMs: 5_000,
      // Catch-up first: a run its policy drops ends as Skipped without first being marked Late.
      task: async () => {
        await skipMissedRuns(db, { now: new Date(), lateAfterSeconds: e.BATON_LATE_AFTER_SECONDS });
        await markLateRuns(db, { now: new Date(), thresholdSeconds: e.BATON_LATE_AFTER_SECONDS });
        // The backstop of a pause's timeout: the waiting SDK fails its own run in time; this ends
        // one whose process vanished while its agent still holds the lease.
        await failExpiredPauses(db);
      },
    },
    {
      name: "lease-reaper",
      lockKey: SERVICE_LOCKS.leaseReaper,
      intervalMs: REAPER_INTERVAL_SECONDS * 1000,
      task: async () => void (await reapExpiredLeases(db.$client, { hearingSince: await clusterHearingSince(db.$client) })),
    },
    // Queued alerts NOTIFY baton_alerts (the state trigger, the watcher): delivery starts at once;
    // the interval (short, for Slack's 1-per-second pacing) picks up paced sends and retries that
    // fall due, and anything queued while no instance listened.
    { name: "notifier", lockKey: SERVICE_LOCKS.notifier, intervalMs: 500, wakeOn: "baton_alerts", task: async () => void (await deliverDueAlerts(db)) },
    { name: "alert-watcher", lockKey: SERVICE_LOCKS.alertWatcher, intervalMs: 5_000, task: async () => void (await watchAlertConditions(db)) },
    // Cancelling a parent cancels its children at once (cancelRun); this catches the other ways a parent ends.
    { name: "cancel-cascade", lockKey: SERVICE_LOCKS.cancelCascade, intervalMs: 5_000, task: async () => void (await cascadeCancellations(db)) },
    {
      name: "retention",
      lockKey: SERVICE_LOCKS.retention,
      intervalMs: 10 * 60_000,
      // Hosted: each workspace's plan sets its retention; self-hosted: BATON_RETENTION_DAYS for all.
      task: async () =>
        void (await (billingEnabled() ? deleteExpiredDataByPlan(db, { now: new Date() }) : deleteExpiredData(db, { now: new Date(), retentionDays: e.BATON_RETENTION_DAYS }))),
    },
  ];
  if (e.RESEND_API_KEY) {
    loops.push({ name: "mailer", lockKey: SERVICE_LOCKS.mailer, intervalMs: 2_000, task: async () => void (await deliverDueEmails(db, { limit: 50 })) });
  }
  return startLeaderLoops(databaseUrl, loops);
}
