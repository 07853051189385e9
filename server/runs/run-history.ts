import { and, asc, eq } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { flowRunStates } from "../db/schema";
import { getRun } from "./load-runs";

/** Every state the run has been in, oldest first, with the person whose action caused it (if one did). */
export async function runHistory(db: Queryable, workspaceId: string, runId: string) {
  await getRun(db, workspaceId, runId);
  const rows = await db
    .select()
    .from(flowRunStates)
    .where(and(eq(flowRunStates.workspaceId, workspaceId), eq(flowRunStates.flowRunId, runId)))
    .orderBy(asc(flowRunStates.id));
  return rows.map((s) => ({ type: s.type, name: s.name, message: s.message, attempt: s.attempt, timestamp: s.timestamp.toISOString(), actorLabel: s.actorLabel }));
}
