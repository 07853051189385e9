import type pg from "pg";
import { billingEnabled } from "../billing/plans";
import { notifyUsageThresholds } from "../billing/usage-emails";
import { COUNT_SCHEDULED_RUNS, fitSlotsToQuota, type QuotaGroup } from "../billing/schedule-quota";
import type { Db } from "../db/client";
import { withPgTransaction } from "../db/pg-transaction";
import { uuidv7 } from "../db/uuidv7";
import { generateRunName } from "../runs/run-names";
import { FILL_POLICY, type FillPlan, type FillPolicy } from "./plan-fill";
import { forgetSchedulesExcept, planScheduleRow, samePlanInputs, type ScheduleRow } from "./plan-schedule-row";

const COLUMNS = "s.id, s.kind, s.cron, s.interval_seconds, s.anchor, s.rrule, s.timezone, s.filled_until, s.created_at";
/** Schedules locked and filled per transaction: keeps each one short. */
const CHUNK = 250;

type Planned = { row: ScheduleRow; plan: FillPlan };

/**
 * Keeps every active schedule of every unpaused deployment filled ahead (policy in plan-fill.ts),
 * continuing from each schedule's `filledUntil`.
 *
 * Safe to run from any number of processes at once: schedules are locked with SKIP LOCKED (each
 * is filled by one transaction at a time), and each slot is inserted under the unique key
 * (schedule_id, slot_time) with ON CONFLICT DO NOTHING, so a slot never gets a second run. The
 * deployment row is share-locked too, so pausing a deployment, which updates that row and then
 * removes future runs, either waits for this fill or is seen by it.
 */
export async function fillSchedules(db: Db, opts: { now: Date; policy?: FillPolicy }): Promise<{ schedules: number; runsCreated: number }> {
  const policy = opts.policy ?? FILL_POLICY;
  // First a plain read, so a quiet tick (nothing due) takes no locks and writes nothing.
  const { rows } = await db.$client.query<ScheduleRow>(
    `select ${COLUMNS} from schedules s join deployments d on d.id = s.deployment_id where s.active and not d.paused`,
  );
  forgetSchedulesExcept(new Set(rows.map((r) => r.id)));
  const due: Planned[] = [];
  for (const row of rows) {
    const plan = planScheduleRow(row, opts.now, policy);
    if (plan) due.push({ row, plan });
  }
  let schedules = 0;
  let runsCreated = 0;
  for (let i = 0; i < due.length; i += CHUNK) {
    const result = await withPgTransaction(db.$client, (client) => fillLocked(client, due.slice(i, i + CHUNK), opts.now, policy));
    schedules += result.schedules;
    runsCreated += result.runsCreated;
    for (const g of result.quota) {
      if (g.kept && g.runsBefore + g.kept >= Math.ceil(g.plan.limits.runsPerMonth * 0.8)) await notifyUsageThresholds(db, g.workspaceId, g.month, g.plan);
    }
  }
  return { schedules, runsCreated };
}

async function fillLocked(client: pg.PoolClient, planned: Planned[], now: Date, policy: FillPolicy) {
  const first = new Map(planned.map((p) => [p.row.id, p]));
  const ids = planned.map((p) => p.row.id);
  const { rows } = await client.query<ScheduleRow>(
    `select ${COLUMNS} from schedules s join deployments d on d.id = s.deployment_id
      where s.id = any($1::uuid[]) and s.active and not d.paused
      order by s.id
      for no key update of s for share of d skip locked`,
    [ids],
  );
  let runIds: string[] = [];
  let scheduleIds: string[] = [];
  let slotTimes: Date[] = [];
  let names: string[] = [];
  const filled: { id: string; until: Date }[] = [];
  // Another scheduler may have filled some since the first read: those are planned again.
  for (const row of rows) {
    const earlier = first.get(row.id);
    const p = earlier && samePlanInputs(earlier.row, row) ? earlier.plan : planScheduleRow(row, now, policy);
    if (!p) continue;
    for (const slot of p.slots) {
      runIds.push(uuidv7());
      scheduleIds.push(row.id);
      slotTimes.push(slot);
      names.push(generateRunName());
    }
    filled.push({ id: row.id, until: p.filledUntil });
  }
  if (!filled.length) return { schedules: 0, runsCreated: 0, quota: [] as QuotaGroup[] };
  // With billing on, slots over the workspace's monthly run quota are skipped.
  const counting = billingEnabled();
  let quota: QuotaGroup[] = [];
  if (counting && runIds.length) {
    const fit = await fitSlotsToQuota(client, scheduleIds, slotTimes, now);
    quota = fit.groups;
    const kept = (_: unknown, i: number) => fit.keep[i];
    [runIds, scheduleIds, slotTimes, names] = [runIds.filter(kept), scheduleIds.filter(kept), slotTimes.filter(kept), names.filter(kept)];
  }
  const result = await client.query<{ created: number }>(
    `with x as (
       select * from unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[]) as x(run_id, schedule_id, slot_time, name)
     ), ins as (
       insert into flow_runs (id, workspace_id, flow_id, deployment_id, schedule_id, work_pool_id, name, parameters, tags,
                              state_type, state_name, scheduled_time, slot_time, auto_scheduled, created_by, attempt)
       select x.run_id, s.workspace_id, d.flow_id, d.id, s.id, d.work_pool_id, x.name, d.parameters || s.parameters, d.tags,
              'SCHEDULED', 'Scheduled', x.slot_time, x.slot_time, true, 'scheduler', 0
         from x join schedules s on s.id = x.schedule_id join deployments d on d.id = s.deployment_id
       on conflict (schedule_id, slot_time) where schedule_id is not null and slot_time is not null do nothing
       returning id, workspace_id, work_pool_id, scheduled_time
     ), hist as (
       insert into flow_run_states (workspace_id, flow_run_id, type, name, attempt)
       select workspace_id, id, 'SCHEDULED', 'Scheduled', 0 from ins
       returning 1
     )${counting ? COUNT_SCHEDULED_RUNS : ""}, filled as (
       update schedules s set filled_until = f.until
         from unnest($5::uuid[], $6::timestamptz[]) as f(id, until)
        where s.id = f.id
       returning 1
     ), events as (
       -- Open runs pages show upcoming runs too; ids in chunks of 100 keep each payload under NOTIFY's 8000 bytes.
       select pg_notify('baton_events', json_build_object('w', w, 'kind', 'flow_run', 'ids', json_agg(id))::text)
         from (select workspace_id as w, id, (row_number() over (partition by workspace_id) - 1) / 100 as chunk from ins) t group by w, chunk
     ), wake as (
       -- Long-polling agents of each pool that got runs wake up (and set a timer for the earliest).
       select pg_notify('baton_dispatch', p.work_pool_id::text)
         from (select distinct work_pool_id from ins where work_pool_id is not null) p
     )
     select (select count(*) from ins)::int as created, (select count(*) from hist) as h,
            (select count(*) from filled) as f, (select count(*) from wake) as w, (select count(*) from events) as e`,
    [runIds, scheduleIds, slotTimes, names, filled.map((f) => f.id), filled.map((f) => f.until)],
  );
  return { schedules: filled.length, runsCreated: result.rows[0].created, quota };
}
