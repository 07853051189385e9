import type { FlowRun } from "../../agent/protocol/runs";
import type { Waiting } from "../../agent/protocol/waiting";
import type { Queryable } from "../db/client";
import { explainWaitingRuns } from "../dispatch/explain-waiting";
import { getRun, listRuns, type RunFilters } from "./load-runs";

/** The runs with `waiting` set: why each SCHEDULED one has not started, null for the others. */
export async function withWaitingReasons(db: Queryable, workspaceId: string, runs: FlowRun[]): Promise<FlowRun[]> {
  const scheduled = runs.filter((r) => r.state.type === "SCHEDULED").map((r) => r.id);
  const waiting = await explainWaitingRuns(db, workspaceId, scheduled);
  return runs.map((r) => ({ ...r, waiting: waiting.get(r.id) ?? null }));
}

/** GET /flow-runs: a page of runs, the SCHEDULED ones with why they wait. */
export async function listRunsWithWaiting(db: Queryable, workspaceId: string, filters: RunFilters) {
  const page = await listRuns(db, workspaceId, filters);
  return { ...page, runs: await withWaitingReasons(db, workspaceId, page.runs) };
}

/** GET /flow-runs/{id}: the run, and why it waits if it is SCHEDULED. */
export async function getRunWithWaiting(db: Queryable, workspaceId: string, id: string): Promise<FlowRun> {
  const [run] = await withWaitingReasons(db, workspaceId, [await getRun(db, workspaceId, id)]);
  return run;
}

/** The run page's "Why is this run waiting?": null unless the run is SCHEDULED. */
export async function explainRunWaiting(db: Queryable, workspaceId: string, id: string): Promise<Waiting | null> {
  await getRun(db, workspaceId, id);
  return (await explainWaitingRuns(db, workspaceId, [id])).get(id) ?? null;
}
