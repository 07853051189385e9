import { and, eq, isNull, lte, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { flowRunPauses, flowRuns } from "../db/schema";
import { applyTransitions, type TransitionRequest } from "../orchestration/apply-transitions";
import { describeTimeout } from "./pause-view";

/**
 * Fails the runs whose pause nobody answered in time: PAUSED → FAILED by Baton (not retried:
 * another attempt would only ask again). The waiting SDK asks for this when its deadline passes;
 * the services loop does it too, so a paused run whose process vanished still ends. Either way
 * the message is the same. Returns how many runs it failed.
 */
export async function failExpiredPauses(db: Db, only?: { workspaceId: string; pauseId: string }): Promise<number> {
  const due = await db
    .select({ workspaceId: flowRunPauses.workspaceId, runId: flowRunPauses.flowRunId, timeoutAt: flowRunPauses.timeoutAt, createdAt: flowRunPauses.createdAt })
    .from(flowRunPauses)
    .innerJoin(flowRuns, and(eq(flowRuns.id, flowRunPauses.flowRunId), eq(flowRuns.attempt, flowRunPauses.attempt)))
    .where(
      and(
        isNull(flowRunPauses.submittedAt),
        lte(flowRunPauses.timeoutAt, sql`now()`),
        eq(flowRuns.stateType, "PAUSED"),
        only ? and(eq(flowRunPauses.workspaceId, only.workspaceId), eq(flowRunPauses.id, only.pauseId)) : undefined,
      ),
    )
    .limit(500);
  const byWorkspace = new Map<string, TransitionRequest[]>();
  for (const p of due) {
    const waited = describeTimeout(Math.max(1, Math.round((p.timeoutAt.getTime() - p.createdAt.getTime()) / 1000)));
    const message = `Nobody answered within ${waited} (the pause's timeout), so the run failed. Start a new run to ask again, or give the pause a longer timeout.`;
    const list = byWorkspace.get(p.workspaceId) ?? [];
    list.push({ runId: p.runId, state: { type: "FAILED", name: "TimedOut", message }, by: "server" });
    byWorkspace.set(p.workspaceId, list);
  }
  let failed = 0;
  for (const [workspaceId, requests] of byWorkspace) {
    const results = await applyTransitions(db.$client, workspaceId, requests);
    failed += results.filter((r) => r.status === "ACCEPT").length;
  }
  return failed;
}
