import { randomUUID } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Actor } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { flowRunPauses } from "../db/schema";
import { validateParameters } from "../deployments/validate-parameters";
import { AppError } from "../errors";
import { applyTransitions } from "../orchestration/apply-transitions";
import { getRun } from "../runs/load-runs";
import { isUuid } from "../../agent/protocol/storable";
import { latestPause, toPauseView } from "./pause-view";

/**
 * A person's answer to a paused run (runner, developer or owner): the input is checked against the
 * pause's schema (field errors, the run stays paused), stored with who and when, and the run goes
 * PAUSED → RUNNING with that person in its history and the audit log. The waiting process reads the
 * input and carries on. A second answer, or one after the timeout, is refused.
 */
export async function resumeRun(db: Db, workspaceId: string, actor: Actor, runId: string, input: Record<string, unknown>) {
  if (!isUuid(runId)) throw new AppError("NOT_FOUND", "Flow run not found.");
  const run = await getRun(db, workspaceId, runId);
  const pause = run.state.type === "PAUSED" ? await latestPause(db, workspaceId, runId, run.attempt) : null;
  if (!pause || pause.submittedAt) throw new AppError("CONFLICT", `Run ${run.name} is not waiting for input (it is ${run.state.name}).`, { state: run.state });
  if (pause.timeoutAt.getTime() <= Date.now()) throw new AppError("CONFLICT", `The pause of run ${run.name} timed out at ${pause.timeoutAt.toISOString()}; nobody can answer it now.`);
  validateParameters(pause.schema, input, "The input does not match what the run asks for");

  const [claimed] = await db
    .update(flowRunPauses)
    .set({ input, submittedBy: actor.label, submittedAt: new Date() })
    .where(and(eq(flowRunPauses.id, pause.id), isNull(flowRunPauses.submittedAt)))
    .returning();
  if (!claimed) throw new AppError("CONFLICT", `Someone else answered run ${run.name} just now.`);
  const [result] = await applyTransitions(db.$client, workspaceId, [
    { runId, state: { type: "RUNNING", message: `Resumed by ${actor.label}` }, by: "user", transitionId: randomUUID(), person: { actor, action: "run.resumed" } },
  ]);
  if (result.status !== "ACCEPT") {
    // The run left PAUSED in between (cancelled, crashed, timed out): the answer did not count.
    await db.update(flowRunPauses).set({ input: null, submittedBy: null, submittedAt: null }).where(eq(flowRunPauses.id, pause.id));
    throw new AppError("CONFLICT", "reason" in result ? `The run could not resume: ${result.reason}` : "The run could not resume.");
  }
  return toPauseView(claimed, await getRun(db, workspaceId, runId));
}

/** The run page's view: the newest pause of the run's current attempt (waiting or answered), or null. */
export async function currentPause(db: Db, workspaceId: string, runId: string) {
  if (!isUuid(runId)) throw new AppError("NOT_FOUND", "Flow run not found.");
  const run = await getRun(db, workspaceId, runId);
  const pause = await latestPause(db, workspaceId, runId, run.attempt);
  return pause ? toPauseView(pause, run) : null;
}
