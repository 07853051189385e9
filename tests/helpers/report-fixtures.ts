import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../server/db/client";
import { flowRuns, flows } from "../../server/db/schema";
import { uuidv7 } from "../../server/db/uuidv7";
import { issueRunToken } from "../../server/orchestration/run-token";

/**
 * A RUNNING flow run inserted directly (the run-creation API is not what these tests are about),
 * with a run token for its current attempt.
 */
export async function createRunningRun(db: Db, workspaceId: string, opts: { attempt?: number } = {}) {
  const [flow] = await db
    .insert(flows)
    .values({ workspaceId, name: `flow-${randomBytes(4).toString("hex")}` })
    .returning();
  const attempt = opts.attempt ?? 1;
  const [run] = await db
    .insert(flowRuns)
    .values({ id: uuidv7(), workspaceId, flowId: flow.id, name: `run-${randomBytes(3).toString("hex")}`, stateType: "RUNNING", stateName: "Running", scheduledTime: new Date(), attempt })
    .returning();
  return { flow, run, token: issueRunToken({ workspaceId, runId: run.id, attempt }) };
}

/** Moves a run to a new attempt, as a retry and a fresh claim would; returns the new attempt's token. */
export async function startNextAttempt(db: Db, run: { id: string; workspaceId: string }) {
  const [updated] = await db
    .update(flowRuns)
    .set({ attempt: sql`${flowRuns.attempt} + 1` })
    .where(eq(flowRuns.id, run.id))
    .returning();
  return { attempt: updated.attempt, token: issueRunToken({ workspaceId: run.workspaceId, runId: run.id, attempt: updated.attempt }) };
}
