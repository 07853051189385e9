import type { Db } from "@/server/db/client";
import { publicUrl } from "@/server/env";
import type { AlertAgent, AlertContext, AlertDeployment, AlertEventName, AlertRun } from "./alert-context";
import type { AlertEvent } from "./alert-event";

const LOG_LINES = 20;

type Base = { workspaceName: string; slug: string; automationId: string; automationName: string; triggerKind: string; triggerStates: string[]; thresholdMinutes: number | null };

/** The context every renderer needs for one alert delivery, read fresh when it is sent. */
export async function loadAlertContext(db: Db, deliveryId: string): Promise<AlertContext> {
  const { rows } = await db.$client.query<Base & { event: AlertEvent }>(
    `select w.name as "workspaceName", w.slug, a.id as "automationId", a.name as "automationName", a.trigger_kind as "triggerKind",
            a.trigger_states as "triggerStates", a.threshold_minutes as "thresholdMinutes", d.event
       from alert_deliveries d join automations a on a.id = d.automation_id join workspaces w on w.id = d.workspace_id
      where d.id = $1`,
    [deliveryId],
  );
  if (!rows[0]) throw new Error(`Alert delivery ${deliveryId} not found.`);
  return contextFor(db, rows[0], rows[0].event);
}

/** The alerts a digest carries, oldest first. */
export async function loadDigestContexts(db: Db, deliveryIds: string[]): Promise<AlertContext[]> {
  const contexts: AlertContext[] = [];
  for (const id of deliveryIds) contexts.push(await loadAlertContext(db, id));
  return contexts;
}

async function contextFor(db: Db, base: Base, event: AlertEvent): Promise<AlertContext> {
  const app = `${publicUrl()}/w/${base.slug}`;
  const ctx: AlertContext = {
    event: "Failed",
    at: event.at,
    workspace: { name: base.workspaceName, slug: base.slug },
    automation: { id: base.automationId, name: base.automationName, url: `${app}/automations/${base.automationId}` },
    run: null,
    deployment: null,
    agent: null,
    thresholdMinutes: null,
    logLines: [],
    test: false,
  };
  switch (event.trigger) {
    case "run_state":
      return { ...ctx, event: event.event, run: await loadRun(db, app, event.runId), logLines: await lastLogLines(db, event.runId) };
    case "running_longer":
      return { ...ctx, event: "RunningTooLong", thresholdMinutes: event.thresholdMinutes, run: await loadRun(db, app, event.runId), logLines: await lastLogLines(db, event.runId) };
    case "no_success":
      return { ...ctx, event: "NoSuccess", deployment: await loadDeployment(db, app, event.deploymentId, event.hours, event.lastSuccessAt) };
    case "agent_offline":
      return { ...ctx, event: "AgentOffline", agent: await loadAgent(db, app, event.agentId, event.lastHeartbeatAt) };
    case "test":
      return sampleContext(db, ctx, base, app);
    case "digest":
      throw new Error("A digest has no single context; use loadDigestContexts.");
  }
}

async function loadRun(db: Db, app: string, runId: string): Promise<AlertRun | null> {
  const { rows } = await db.$client.query<Omit<AlertRun, "url" | "startTime" | "endTime" | "scheduledTime"> & { startTime: Date | null; endTime: Date | null; scheduledTime: Date }>(
    `select r.id, r.name, r.state_type as "stateType", r.state_name as "stateName", r.state_message as "stateMessage",
            f.name as "flowName", dep.name as "deploymentName", r.start_time as "startTime", r.end_time as "endTime",
            r.scheduled_time as "scheduledTime", r.attempt, r.tags,
            case when r.start_time is null then null
                 else extract(epoch from coalesce(r.end_time, now()) - r.start_time)::float8 end as "durationSeconds"
       from flow_runs r join flows f on f.id = r.flow_id left join deployments dep on dep.id = r.deployment_id
      where r.id = $1`,
    [runId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    ...r,
    url: `${app}/runs/${r.id}`,
    durationSeconds: r.durationSeconds === null ? null : Math.round(r.durationSeconds * 10) / 10,
    startTime: r.startTime?.toISOString() ?? null,
    endTime: r.endTime?.toISOString() ?? null,
    scheduledTime: r.scheduledTime.toISOString(),
  };
}

async function lastLogLines(db: Db, runId: string): Promise<string[]> {
  const { rows } = await db.$client.query<{ line: string }>(
    `select to_char(timestamp at time zone 'UTC', 'HH24:MI:SS') || ' ' || upper(level) || ' ' || left(message, 500) as line
       from logs where flow_run_id = $1 order by attempt desc, seq desc limit ${LOG_LINES}`,
    [runId],
  );
  return rows.map((r) => r.line).reverse();
}

async function loadDeployment(db: Db, app: string, deploymentId: string, hours: number, lastSuccessAt: string | null): Promise<AlertDeployment | null> {
  const { rows } = await db.$client.query<{ id: string; name: string; flowName: string }>(
    `select d.id, d.name, f.name as "flowName" from deployments d join flows f on f.id = d.flow_id where d.id = $1`,
    [deploymentId],
  );
  return rows[0] ? { ...rows[0], url: `${app}/deployments/${rows[0].id}`, hours, lastSuccessAt } : null;
}

async function loadAgent(db: Db, app: string, agentId: string, lastHeartbeatAt: string): Promise<AlertAgent | null> {
  const { rows } = await db.$client.query<{ id: string; name: string; hostname: string | null; poolName: string }>(
    `select a.id, a.name, a.hostname, p.name as "poolName" from agents a join work_pools p on p.id = a.work_pool_id where a.id = $1`,
    [agentId],
  );
  return rows[0] ? { ...rows[0], lastHeartbeatAt, url: `${app}/work-pools` } : null;
}

/** A "Send test" shows what the automation's real alert looks like, about a sample run (labelled as a test). */
async function sampleContext(db: Db, ctx: AlertContext, base: Base, app: string): Promise<AlertContext> {
  const event: AlertEventName =
    base.triggerKind === "running_longer" ? "RunningTooLong"
    : base.triggerKind === "no_success" ? "NoSuccess"
    : base.triggerKind === "agent_offline" ? "AgentOffline"
    : ((base.triggerStates[0] as AlertEventName | undefined) ?? "Failed");
  const now = new Date().toISOString();
  const sampleRun: AlertRun = {
    id: "00000000-0000-0000-0000-000000000000",
    name: "sample-run",
    url: `${app}/runs`,
    stateType: event === "Completed" ? "COMPLETED" : "FAILED",
    stateName: event === "Completed" ? "Completed" : "Failed",
    stateMessage: event === "Completed" ? null : "This is a test alert from Baton; no run failed.",
    flowName: "example-flow",
    deploymentName: "daily",
    durationSeconds: 42,
    startTime: now,
    endTime: now,
    scheduledTime: now,
    attempt: 1,
    tags: [],
  };
  return {
    ...ctx,
    event,
    test: true,
    thresholdMinutes: base.thresholdMinutes,
    run: event === "NoSuccess" || event === "AgentOffline" ? null : sampleRun,
    deployment: event === "NoSuccess" ? { id: sampleRun.id, name: "daily", flowName: "example-flow", url: `${app}/deployments`, lastSuccessAt: null, hours: Math.round((base.thresholdMinutes ?? 1440) / 60) } : null,
    agent: event === "AgentOffline" ? { id: sampleRun.id, name: "sample-agent", hostname: "build-01", poolName: "default", lastHeartbeatAt: now, url: `${app}/work-pools` } : null,
    logLines: event === "Completed" ? [] : ["12:00:00 INFO starting", "12:00:41 ERROR this is a sample log line"],
  };
}
