import type { StateType } from "../../agent/protocol/states";
import type { Db } from "../db/client";
import { AGENT_OFFLINE_AFTER_SECONDS } from "../agents/agents";
import { countByHour, olderRunCounts } from "./older-run-counts";

export type Bucket = { start: string; counts: Partial<Record<StateType, number>> };
export type WorkspaceSummary = {
  hours: Bucket[];
  days: Bucket[];
  failed24h: number;
  crashed24h: number;
  lateNow: number;
  agentsOnline: number;
  agentsTotal: number;
  nextRuns: { id: string; name: string; flowName: string; deploymentName: string | null; scheduledTime: string }[];
  /** The first-run checklist: what this workspace has done so far. */
  setup: { hasKey: boolean; hasDeployment: boolean; hasAgent: boolean; hasRun: boolean };
  recentFailures: { id: string; name: string; flowName: string; deploymentName: string | null; stateName: string; message: string | null; endTime: string | null }[];
};

/**
 * What the dashboard shows, for one workspace: runs over the last 24 hours (by hour) and 7 days
 * (by day), stacked by state type, bucketed by start time (or due time for runs that never
 * started; the days before yesterday are cached, see older-run-counts.ts);
 * failed and crashed runs of the last 24 hours; runs late now; agents online; the next
 * scheduled runs; the latest failures with their messages.
 */
export async function workspaceSummary(db: Db, workspaceId: string, now = new Date()): Promise<WorkspaceSummary> {
  const pool = db.$client;
  const hourMs = 3_600_000;
  const thisHour = Math.floor(now.getTime() / hourMs) * hourMs;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const firstDay = new Date(today - 6 * 86_400_000);
  // Counted live: since yesterday 00:00 UTC (24 to 48 hours, covering the hourly chart). Before
  // that the days are cached; their window moves once a day, so a recount is rarely waited for.
  const liveFrom = new Date(today - 86_400_000);
  const [older, recent, counts, agents, next, failures, setup] = await Promise.all([
    olderRunCounts(db, workspaceId, firstDay, liveFrom),
    countByHour(db, workspaceId, liveFrom, new Date(now.getTime() + 1)),
    // Failures use the small partial index flow_runs_failures_idx; scheduled runs are few.
    pool.query<{ failed: number; crashed: number; late: number }>(
      `select (select count(*) from flow_runs where workspace_id = $1 and state_type = 'FAILED' and end_time > $2::timestamptz - interval '24 hours')::int as failed,
              (select count(*) from flow_runs where workspace_id = $1 and state_type = 'CRASHED' and end_time > $2::timestamptz - interval '24 hours')::int as crashed,
              (select count(*) from flow_runs where workspace_id = $1 and state_type = 'SCHEDULED' and state_name = 'Late')::int as late`,
      [workspaceId, now],
    ),
    pool.query<{ online: number; total: number }>(
      `select count(*) filter (where last_heartbeat_at > $2::timestamptz - make_interval(secs => $3))::int as online, count(*)::int as total
         from agents where workspace_id = $1`,
      [workspaceId, now, AGENT_OFFLINE_AFTER_SECONDS],
    ),
    pool.query<{ id: string; name: string; flow_name: string; deployment_name: string | null; scheduled_time: Date }>(
      `select r.id, r.name, f.name as flow_name, d.name as deployment_name, r.scheduled_time
         from flow_runs r join flows f on f.id = r.flow_id left join deployments d on d.id = r.deployment_id
        where r.workspace_id = $1 and r.state_type = 'SCHEDULED' and r.scheduled_time > $2
        order by r.scheduled_time limit 5`,
      [workspaceId, now],
    ),
    pool.query<{ id: string; name: string; flow_name: string; deployment_name: string | null; state_name: string; state_message: string | null; end_time: Date | null }>(
      `select r.id, r.name, f.name as flow_name, d.name as deployment_name, r.state_name, r.state_message, r.end_time
         from flow_runs r join flows f on f.id = r.flow_id left join deployments d on d.id = r.deployment_id
        where r.workspace_id = $1 and r.state_type in ('FAILED', 'CRASHED') and r.end_time is not null
        order by r.end_time desc limit 5`,
      [workspaceId],
    ),
    pool.query<{ has_key: boolean; has_deployment: boolean; has_run: boolean }>(
      `select exists (select 1 from api_keys where workspace_id = $1 and revoked_at is null) as has_key,
              exists (select 1 from deployments where workspace_id = $1) as has_deployment,
              exists (select 1 from flow_runs where workspace_id = $1) as has_run`,
      [workspaceId],
    ),
  ]);

  const hours = Array.from({ length: 24 }, (_, i) => ({ start: new Date(thisHour - (23 - i) * hourMs).toISOString(), counts: {} as Bucket["counts"] }));
  const days = Array.from({ length: 7 }, (_, i) => ({ start: new Date(today - (6 - i) * 86_400_000).toISOString(), counts: {} as Bucket["counts"] }));
  for (const b of [...older, ...recent]) {
    const t = b.hour.getTime();
    const h = hours[23 - (thisHour - t) / hourMs];
    if (h) h.counts[b.state_type] = (h.counts[b.state_type] ?? 0) + b.n;
    const dayStart = Date.UTC(b.hour.getUTCFullYear(), b.hour.getUTCMonth(), b.hour.getUTCDate());
    const d = days[6 - (today - dayStart) / 86_400_000];
    if (d) d.counts[b.state_type] = (d.counts[b.state_type] ?? 0) + b.n;
  }
  const c = counts.rows[0];
  return {
    hours,
    days,
    failed24h: c.failed,
    crashed24h: c.crashed,
    lateNow: c.late,
    agentsOnline: agents.rows[0].online,
    agentsTotal: agents.rows[0].total,
    setup: { hasKey: setup.rows[0].has_key, hasDeployment: setup.rows[0].has_deployment, hasAgent: agents.rows[0].total > 0, hasRun: setup.rows[0].has_run },
    nextRuns: next.rows.map((r) => ({ id: r.id, name: r.name, flowName: r.flow_name, deploymentName: r.deployment_name, scheduledTime: r.scheduled_time.toISOString() })),
    recentFailures: failures.rows.map((r) => ({
      id: r.id,
      name: r.name,
      flowName: r.flow_name,
      deploymentName: r.deployment_name,
      stateName: r.state_name,
      message: r.state_message,
      endTime: r.end_time?.toISOString() ?? null,
    })),
  };
}
