import type { Db } from "@/server/db/client";
import { AGENT_OFFLINE_AFTER_SECONDS } from "@/server/agents/agents";

/**
 * The proactive triggers, checked every few seconds by the watcher service. Each queues one
 * delivery per destination under a dedupe key naming the occurrence, so an occurrence alerts
 * once however often it is seen:
 * - running_longer: `running:<run>:<attempt>`, once per attempt that runs past the threshold;
 * - no_success: `no-success:<deployment>:<since>:<window>`, once per N-hour window without a
 *   Completed run, counted from the last success (or the deployment's creation);
 * - agent_offline: `offline:<agent>:<last heartbeat>`, once each time an agent that was online
 *   (after the automation existed) stops heartbeating.
 * `now` is injectable so tests can move the clock.
 */
export async function watchAlertConditions(db: Db, { now = new Date() }: { now?: Date } = {}): Promise<number> {
  const queued = (await runningLonger(db, now)) + (await noSuccess(db, now)) + (await agentsOffline(db, now));
  if (queued > 0) await db.$client.query(`select pg_notify('baton_alerts', '')`);
  return queued;
}

async function runningLonger(db: Db, now: Date): Promise<number> {
  const { rowCount } = await db.$client.query(
    `insert into alert_deliveries (workspace_id, automation_id, destination_id, kind, dedupe_key, event)
     select r.workspace_id, a.id, d.id, 'alert', 'running:' || r.id || ':' || r.attempt,
            jsonb_build_object('trigger', 'running_longer', 'event', 'RunningTooLong', 'runId', r.id, 'attempt', r.attempt,
                               'thresholdMinutes', a.threshold_minutes, 'at', $1::timestamptz)
       from automations a
       join flow_runs r on r.workspace_id = a.workspace_id and r.state_type = 'RUNNING'
                       and r.start_time < $1::timestamptz - make_interval(mins => a.threshold_minutes)
       join alert_destinations d on d.automation_id = a.id and d.disabled_at is null
      where a.enabled and a.trigger_kind = 'running_longer'
        and (cardinality(a.flow_ids) = 0 or r.flow_id = any (a.flow_ids))
        and (cardinality(a.deployment_ids) = 0 or r.deployment_id = any (a.deployment_ids))
        and (cardinality(a.tags) = 0 or r.tags && a.tags)
     on conflict do nothing`,
    [now],
  );
  return rowCount ?? 0;
}

async function noSuccess(db: Db, now: Date): Promise<number> {
  const { rowCount } = await db.$client.query(
    `with candidates as (
       select a.id as automation_id, a.workspace_id, dep.id as deployment_id, a.threshold_minutes,
              (select r.end_time from flow_runs r
                where r.workspace_id = dep.workspace_id and r.deployment_id = dep.id and r.state_type = 'COMPLETED'
                order by r.id desc limit 1) as last_success,
              dep.created_at
         from automations a
         join deployments dep on dep.workspace_id = a.workspace_id and not dep.paused
        where a.enabled and a.trigger_kind = 'no_success'
          and (cardinality(a.flow_ids) = 0 or dep.flow_id = any (a.flow_ids))
          and (cardinality(a.deployment_ids) = 0 or dep.id = any (a.deployment_ids))
          and (cardinality(a.tags) = 0 or dep.tags && a.tags)
     ), windows as (
       select c.*, coalesce(c.last_success, c.created_at) as since,
              floor(extract(epoch from ($1::timestamptz - coalesce(c.last_success, c.created_at))) / (c.threshold_minutes * 60))::bigint as window_no
         from candidates c
     )
     insert into alert_deliveries (workspace_id, automation_id, destination_id, kind, dedupe_key, event)
     select w.workspace_id, w.automation_id, d.id, 'alert',
            'no-success:' || w.deployment_id || ':' || floor(extract(epoch from w.since) * 1000)::bigint || ':' || w.window_no,
            jsonb_build_object('trigger', 'no_success', 'event', 'NoSuccess', 'deploymentId', w.deployment_id,
                               'hours', round(w.threshold_minutes / 60.0, 1), 'lastSuccessAt', w.last_success, 'at', $1::timestamptz)
       from windows w join alert_destinations d on d.automation_id = w.automation_id and d.disabled_at is null
      where w.window_no >= 1
     on conflict do nothing`,
    [now],
  );
  return rowCount ?? 0;
}

async function agentsOffline(db: Db, now: Date): Promise<number> {
  const { rowCount } = await db.$client.query(
    `insert into alert_deliveries (workspace_id, automation_id, destination_id, kind, dedupe_key, event)
     select ag.workspace_id, a.id, d.id, 'alert', 'offline:' || ag.id || ':' || floor(extract(epoch from ag.last_heartbeat_at) * 1000)::bigint,
            jsonb_build_object('trigger', 'agent_offline', 'event', 'AgentOffline', 'agentId', ag.id,
                               'lastHeartbeatAt', ag.last_heartbeat_at, 'at', $1::timestamptz)
       from automations a
       join agents ag on ag.workspace_id = a.workspace_id
                     and ag.last_heartbeat_at < $1::timestamptz - make_interval(secs => $2)
                     and ag.last_heartbeat_at + make_interval(secs => $2) > a.created_at
       join alert_destinations d on d.automation_id = a.id and d.disabled_at is null
      where a.enabled and a.trigger_kind = 'agent_offline'
     on conflict do nothing`,
    [now, AGENT_OFFLINE_AFTER_SECONDS],
  );
  return rowCount ?? 0;
}
