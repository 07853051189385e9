import { and, desc, eq, gte, inArray, lt, lte, sql, type SQL } from "drizzle-orm";
import type { FlowRun as FlowRunOut } from "../../agent/protocol/runs";
import type { StateType } from "../../agent/protocol/states";
import type { Queryable } from "../db/client";
import { deployments, flowRuns, flows, workPools } from "../db/schema";
import { AppError } from "../errors";
import { isUuid } from "../../agent/protocol/storable";

const columns = { r: flowRuns, flowName: flows.name, deploymentName: deployments.name, poolName: workPools.name };

function serialize(row: { r: typeof flowRuns.$inferSelect; flowName: string; deploymentName: string | null; poolName: string | null }): FlowRunOut {
  const r = row.r;
  return {
    id: r.id,
    name: r.name,
    flowId: r.flowId,
    flowName: row.flowName,
    deploymentId: r.deploymentId,
    deploymentName: row.deploymentName,
    workPool: row.poolName,
    parameters: r.parameters,
    tags: r.tags,
    state: { type: r.stateType, name: r.stateName, message: r.stateMessage, timestamp: r.stateTimestamp.toISOString() },
    scheduledTime: r.scheduledTime.toISOString(),
    startTime: r.startTime?.toISOString() ?? null,
    endTime: r.endTime?.toISOString() ?? null,
    attempt: r.attempt,
    agentId: r.agentId,
    idempotencyKey: r.idempotencyKey,
    sourceCommit: r.sourceCommit,
    createdBy: r.createdBy,
    parentRunId: r.parentRunId,
    origin: r.origin,
    triggeredByRunId: r.triggeredByRunId,
    createdAt: r.createdAt.toISOString(),
  };
}

function baseQuery(db: Queryable, where: SQL | undefined) {
  return db
    .select(columns)
    .from(flowRuns)
    .innerJoin(flows, eq(flows.id, flowRuns.flowId))
    .leftJoin(deployments, eq(deployments.id, flowRuns.deploymentId))
    .leftJoin(workPools, eq(workPools.id, flowRuns.workPoolId))
    .where(where);
}



export async function getRun(db: Queryable, workspaceId: string, id: string): Promise<FlowRunOut> {
  if (!isUuid(id)) throw new AppError("NOT_FOUND", "Flow run not found.");
  const [row] = await baseQuery(db, and(eq(flowRuns.workspaceId, workspaceId), eq(flowRuns.id, id)));
  if (!row) throw new AppError("NOT_FOUND", "Flow run not found.");
  return serialize(row);
}

export type RunFilters = {
  state?: StateType | StateType[];
  deployment?: string;
  flow?: string;
  tag?: string;
  /** The children of this run (runDeployment). */
  parentRunId?: string;
  /** The runs an automation started after this run's event. */
  triggeredByRunId?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
};

/** Newest first by id (UUIDv7, so creation order); the cursor is the last id of the previous page. */
export async function listRuns(db: Queryable, workspaceId: string, f: RunFilters) {
  if (f.cursor && !isUuid(f.cursor)) throw new AppError("BAD_REQUEST", "The cursor is not valid; pass the nextCursor of the previous page.");
  const states = f.state === undefined ? undefined : Array.isArray(f.state) ? f.state : [f.state];
  const rows = await baseQuery(
    db,
    and(
      eq(flowRuns.workspaceId, workspaceId),
      states ? inArray(flowRuns.stateType, states) : undefined,
      f.deployment ? eq(flowRuns.deploymentId, f.deployment) : undefined,
      f.flow ? eq(flowRuns.flowId, f.flow) : undefined,
      f.tag ? sql`${flowRuns.tags} @> array[${f.tag}]::text[]` : undefined,
      f.parentRunId ? eq(flowRuns.parentRunId, f.parentRunId) : undefined,
      f.triggeredByRunId ? eq(flowRuns.triggeredByRunId, f.triggeredByRunId) : undefined,
      f.from ? gte(flowRuns.scheduledTime, new Date(f.from)) : undefined,
      f.to ? lte(flowRuns.scheduledTime, new Date(f.to)) : undefined,
      f.cursor ? lt(flowRuns.id, f.cursor) : undefined,
    ),
  )
    .orderBy(desc(flowRuns.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  return { runs: page.map(serialize), nextCursor: rows.length > f.limit ? page[page.length - 1].r.id : null };
}
