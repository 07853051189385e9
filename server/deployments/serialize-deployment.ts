import type { Deployment as DeploymentOut } from "../../agent/protocol/deployments";
import type { Deployment, Schedule } from "../db/schema";

export function serializeSchedule(s: Schedule) {
  return {
    id: s.id,
    kind: s.kind,
    cron: s.cron,
    intervalSeconds: s.intervalSeconds,
    anchor: s.anchor?.toISOString() ?? null,
    rrule: s.rrule,
    timezone: s.timezone,
    active: s.active,
    parameters: s.parameters,
  };
}

export function serializeDeployment(d: Deployment, flowName: string, workPool: string, schedules: Schedule[]): DeploymentOut {
  return {
    id: d.id,
    flowId: d.flowId,
    flowName,
    name: d.name,
    description: d.description,
    kind: d.kind,
    entrypoint: d.entrypoint,
    command: d.command,
    python: d.python,
    source: d.source,
    setup: d.setup,
    workPool,
    parameters: d.parameters,
    parameterSchema: d.parameterSchema,
    tags: d.tags,
    retries: d.retries,
    retryDelay: d.retryDelay,
    timeoutSeconds: d.timeoutSeconds,
    concurrencyLimit: d.concurrencyLimit,
    paused: d.paused,
    catchUp: d.catchUp,
    maxLatenessSeconds: d.maxLatenessSeconds,
    schedules: schedules.map(serializeSchedule),
    env: d.env,
    secrets: d.declaredSecrets,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}
