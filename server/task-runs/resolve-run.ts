import type pg from "pg";
import { AppError } from "../errors";
import { isUuid } from "../../agent/protocol/storable";

/** The caller's run token, if it holds one: it may touch only this run, and write only as this attempt. */
export type RunTokenScope = { runId: string; attempt: number } | null;


export const runNotFound = (runId: string) =>
  new AppError("NOT_FOUND", `Flow run ${runId} not found. Check the id; a run token can only reach its own run.`);

/**
 * The flow run a reporter names, in its workspace, or 404 (another workspace's run, or another run
 * than the run token's, looks exactly like a missing one). With `writeAsAttempt`, a write on behalf
 * of an attempt that is not the run's current one is refused with 409 (fencing), so a process left
 * over from an earlier attempt cannot change what the current attempt reports.
 */
export async function resolveRun(
  q: pg.Pool | pg.PoolClient,
  opts: { workspaceId: string; runId: string; runToken: RunTokenScope; writeAsAttempt?: number },
): Promise<{ id: string; attempt: number }> {
  if (!isUuid(opts.runId) || (opts.runToken && opts.runToken.runId !== opts.runId)) throw runNotFound(opts.runId);
  const { rows } = await q.query<{ id: string; attempt: number }>("select id, attempt from flow_runs where workspace_id = $1 and id = $2", [opts.workspaceId, opts.runId]);
  const run = rows[0];
  if (!run) throw runNotFound(opts.runId);
  if (opts.writeAsAttempt !== undefined && opts.writeAsAttempt !== run.attempt) {
    throw new AppError(
      "CONFLICT",
      `This write is for attempt ${opts.writeAsAttempt} of flow run ${run.id}, but the run is on attempt ${run.attempt}: writes from another attempt are refused. A process of an earlier attempt should stop.`,
      { currentAttempt: run.attempt },
    );
  }
  return run;
}
