import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { flowRuns } from "../db/schema";
import { AppError } from "../errors";
import { notifyLive } from "../live/notify-live";
import { getRun } from "./load-runs";

/**
 * The commit a run of a git source runs, as its agent resolved the deployment's ref at claim time.
 * First write wins: a later attempt (a retry) runs the same commit, which the claim hands back as
 * `sourceCommit`, so this changes nothing then; a different commit for a run that has one is refused.
 */
export async function recordSourceCommit(db: Db, workspaceId: string, runId: string, commit: string) {
  const updated = await db
    .update(flowRuns)
    .set({ sourceCommit: commit })
    .where(and(eq(flowRuns.workspaceId, workspaceId), eq(flowRuns.id, runId), isNull(flowRuns.sourceCommit)))
    .returning({ id: flowRuns.id });
  if (updated.length > 0) {
    await notifyLive(db, workspaceId, "flow_run", [runId]);
    return { sourceCommit: commit };
  }
  const run = await getRun(db, workspaceId, runId);
  if (run.sourceCommit !== commit) throw new AppError("CONFLICT", `Run ${run.name} already runs commit ${run.sourceCommit}; its attempts all use that commit.`);
  return { sourceCommit: commit };
}
