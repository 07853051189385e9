import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import type { startChildRunSchema } from "../../agent/protocol/child-runs";
import { isUuid } from "../../agent/protocol/storable";
import type { Db } from "../db/client";
import { deployments, flows } from "../db/schema";
import { AppError } from "../errors";
import type { RunTokenClaims } from "../orchestration/run-token";
import { createDeploymentRun } from "./create-run";
import { getRun, listRuns } from "./load-runs";

/** `"flow/deployment"` or an id → the deployment's id, within the workspace. */
async function resolveDeploymentId(db: Db, workspaceId: string, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const slash = ref.indexOf("/");
  const notFound = new AppError(
    "NOT_FOUND",
    `Deployment "${ref}" not found in this workspace. Name it "<flow>/<deployment>" as \`baton deployments ls\` shows it, or pass its id.`,
  );
  if (slash <= 0 || slash === ref.length - 1) throw notFound;
  const [row] = await db
    .select({ id: deployments.id })
    .from(deployments)
    .innerJoin(flows, eq(flows.id, deployments.flowId))
    .where(and(eq(deployments.workspaceId, workspaceId), eq(flows.name, ref.slice(0, slash)), eq(deployments.name, ref.slice(slash + 1))));
  if (!row) throw notFound;
  return row.id;
}

/** How deep children may nest: a flow that starts its own deployment stops here instead of running away. */
export const MAX_CHILD_DEPTH = 10;

async function assertNestingDepth(db: Db, workspaceId: string, runId: string) {
  const { rows } = await db.$client.query<{ depth: number }>(
    `with recursive up(id, depth) as (
       select parent_run_id, 1 from flow_runs where workspace_id = $1 and id = $2
       union all
       select r.parent_run_id, up.depth + 1 from flow_runs r join up on r.id = up.id where up.depth <= $3
     )
     select max(depth)::int as depth from up where id is not null`,
    [workspaceId, runId, MAX_CHILD_DEPTH],
  );
  const depth = rows[0]?.depth ?? 0;
  if (depth >= MAX_CHILD_DEPTH) {
    throw new AppError("CONFLICT", `This run is nested ${depth} child runs deep; children nest at most ${MAX_CHILD_DEPTH} deep. Does a flow start its own deployment?`, { depth });
  }
}

/**
 * Starts a run of a deployment as a child of the run a run token belongs to. The token acts for
 * the workspace, so its history and audit log name the parent (`run:<parent name>`). The key is
 * scoped to the parent's run and attempt, so the same call retried over HTTP returns the first
 * child, and a new attempt of the parent starts new children; parameters are checked against the child's schema (422) and the run counts
 * against the quota like any run.
 */
export async function startChildRun(db: Db, parent: RunTokenClaims, input: z.output<typeof startChildRunSchema>) {
  const parentRun = await getRun(db, parent.workspaceId, parent.runId);
  if (parentRun.state.type !== "RUNNING") {
    throw new AppError("CONFLICT", `Flow run ${parentRun.name} is ${parentRun.state.name}: only a running flow starts child runs.`, { state: parentRun.state.type });
  }
  await assertNestingDepth(db, parent.workspaceId, parent.runId);
  const deploymentId = await resolveDeploymentId(db, parent.workspaceId, input.deployment);
  return createDeploymentRun(
    db,
    parent.workspaceId,
    { userId: null, label: `run:${parentRun.name}` },
    deploymentId,
    { parameters: input.parameters, idempotencyKey: `child:${parent.runId}:${parent.attempt}:${input.idempotencyKey}` },
    { parentRunId: parent.runId },
  );
}

/** A run's children, oldest first (the order its flow started them); up to 200, which is plenty for a page. */
export async function listChildRuns(db: Db, workspaceId: string, parentRunId: string) {
  if (!isUuid(parentRunId)) throw new AppError("NOT_FOUND", "Flow run not found.");
  const { runs } = await listRuns(db, workspaceId, { parentRunId, limit: 200 });
  return runs.reverse();
}

/** One child of a run (404 for any run that is not its child): what a waiting parent polls. */
export async function getChildRun(db: Db, workspaceId: string, parentRunId: string, childId: string) {
  const run = await getRun(db, workspaceId, childId);
  if (run.parentRunId !== parentRunId) throw new AppError("NOT_FOUND", "Flow run not found.");
  return run;
}

/** The run page's lineage: its parent (null when it has none or the parent was deleted), children and triggered runs. */
export async function runLineage(db: Db, workspaceId: string, runId: string) {
  const run = await getRun(db, workspaceId, runId);
  const [parent, children, triggered] = await Promise.all([
    run.parentRunId ? getRun(db, workspaceId, run.parentRunId).catch(() => null) : null,
    listChildRuns(db, workspaceId, runId),
    listRuns(db, workspaceId, { triggeredByRunId: runId, limit: 200 }).then((p) => p.runs.reverse()),
  ]);
  return { parent, children, triggered };
}
