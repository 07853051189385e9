import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import type { Actor } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { flowRuns } from "../db/schema";
import { AppError } from "../errors";
import { applyTransitions, type TransitionRequest, type TransitionResult } from "../orchestration/apply-transitions";
import { issueRunToken } from "../orchestration/run-token";
import type { ProposedState } from "../orchestration/rules";
import { getRun } from "./load-runs";
import { isUuid } from "../../agent/protocol/storable";

/** What a transition result looks like on the wire; a new attempt of an ad-hoc run gets a new run token. */
export function toWire(workspaceId: string, r: TransitionResult, previousAttempt?: number) {
  if (r.status === "NOT_FOUND") return { runId: r.runId, status: r.status, reason: "Flow run not found." };
  const base = { runId: r.runId, status: r.status, attempt: r.attempt, state: r.state };
  switch (r.status) {
    case "ACCEPT":
      return {
        ...base,
        replayed: r.replayed,
        ...(previousAttempt !== undefined && r.attempt !== previousAttempt ? { runToken: issueRunToken({ workspaceId, runId: r.runId, attempt: r.attempt }) } : {}),
      };
    case "WAIT":
      return { ...base, reason: r.reason, waitSeconds: r.seconds };
    default:
      return { ...base, reason: r.reason };
  }
}

async function personTransition(db: Db, workspaceId: string, actor: Actor, runId: string, state: ProposedState, action: string) {
  if (!isUuid(runId)) throw new AppError("NOT_FOUND", "Flow run not found.");
  const [result] = await applyTransitions(db.$client, workspaceId, [{ runId, state, by: "user", transitionId: randomUUID(), person: { actor, action } }]);
  if (result.status === "NOT_FOUND") throw new AppError("NOT_FOUND", "Flow run not found.");
  if (result.status !== "ACCEPT") throw new AppError("CONFLICT", "reason" in result ? result.reason : "The run's state did not allow this.");
  return getRun(db, workspaceId, runId);
}

/**
 * SCHEDULED or PENDING → CANCELLED at once; RUNNING or PAUSED (its process waits in place) → CANCELLING, and its agent stops the process.
 * Its active children (runDeployment) are cancelled with it, and theirs in turn; the services loop
 * (cascadeCancellations) catches any a failure here left behind.
 */
export async function cancelRun(db: Db, workspaceId: string, actor: Actor, runId: string, message = "Cancelled by a person") {
  const run = await getRun(db, workspaceId, runId);
  const target: ProposedState = run.state.type === "RUNNING" || run.state.type === "PAUSED" ? { type: "CANCELLING", message } : { type: "CANCELLED", message };
  const cancelled = await personTransition(db, workspaceId, actor, runId, target, "run.cancelled");
  await cancelActiveChildren(db, workspaceId, actor, cancelled);
  return cancelled;
}

async function cancelActiveChildren(db: Db, workspaceId: string, actor: Actor, parent: { id: string; name: string }) {
  const children = await db
    .select({ id: flowRuns.id })
    .from(flowRuns)
    .where(and(eq(flowRuns.workspaceId, workspaceId), eq(flowRuns.parentRunId, parent.id), inArray(flowRuns.stateType, ["SCHEDULED", "PENDING", "RUNNING", "PAUSED"])));
  for (const child of children) {
    // A child that ended meanwhile answers CONFLICT: nothing left to cancel.
    await cancelRun(db, workspaceId, actor, child.id, `Cancelled with its parent run ${parent.name}`).catch((err: unknown) => {
      if (!(err instanceof AppError && err.code === "CONFLICT")) throw err;
    });
  }
}

/** A person's Retry: a finished run is scheduled again now, as a new attempt with a fresh retry budget. */
export async function retryRun(db: Db, workspaceId: string, actor: Actor, runId: string) {
  return personTransition(db, workspaceId, actor, runId, { type: "SCHEDULED", message: "Retried by a person" }, "run.retried");
}

export async function reportStates(db: Db, workspaceId: string, requests: TransitionRequest[]) {
  return applyTransitions(db.$client, workspaceId, requests);
}
