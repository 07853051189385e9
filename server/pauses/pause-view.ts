import { and, desc, eq } from "drizzle-orm";
import type { Pause } from "../../agent/protocol/pauses";
import type { Queryable } from "../db/client";
import { flowRunPauses, type FlowRunPause } from "../db/schema";
import type { FlowRun as FlowRunOut } from "../../agent/protocol/runs";

/** A pause as the SDK and the run page see it: what was asked, and what became of it. */
export function toPauseView(p: FlowRunPause, run: Pick<FlowRunOut, "attempt" | "state">): Pause {
  // Being cancelled, it still waits: its agent stops the process, which then ends as Cancelled
  // (were the SDK to give up first, the run would end as Failed).
  const live = run.attempt === p.attempt && (run.state.type === "PAUSED" || run.state.type === "CANCELLING");
  const status = p.submittedAt ? "answered" : live ? "waiting" : run.state.type === "FAILED" && p.timeoutAt.getTime() <= Date.now() ? "timed_out" : "ended";
  return {
    id: p.id,
    runId: p.flowRunId,
    attempt: p.attempt,
    schema: p.schema,
    message: p.message,
    timeoutAt: p.timeoutAt.toISOString(),
    status,
    input: p.input,
    submittedBy: p.submittedBy,
    submittedAt: p.submittedAt?.toISOString() ?? null,
    runState: run.state,
  };
}

/** The newest pause of the run's current attempt, or null. */
export async function latestPause(db: Queryable, workspaceId: string, runId: string, attempt: number): Promise<FlowRunPause | null> {
  const [row] = await db
    .select()
    .from(flowRunPauses)
    .where(and(eq(flowRunPauses.workspaceId, workspaceId), eq(flowRunPauses.flowRunId, runId), eq(flowRunPauses.attempt, attempt)))
    .orderBy(desc(flowRunPauses.createdAt))
    .limit(1);
  return row ?? null;
}

/** Seconds as a person says them in a timeout: "90 s", "30 min", "1 h", "2 d". */
export function describeTimeout(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
