import { randomUUID } from "node:crypto";
import type { Actor } from "../audit/record-audit-event";
import type { Db } from "../db/client";
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

/** SCHEDULED or PENDING → CANCELLED at once; RUNNING or PAUSED (its process waits in place) → CANCELLING, and its agent stops the process. */
export async function cancelRun(db: Db, workspaceId: string, actor: Actor, runId: string) {
  const run = await getRun(db, workspaceId, runId);
  const target: ProposedState = run.state.type === "RUNNING" || run.state.type === "PAUSED" ? { type: "CANCELLING", message: "Cancelled by a person" } : { type: "CANCELLED", message: "Cancelled by a person" };
  return personTransition(db, workspaceId, actor, runId, target, "run.cancelled");
}

/** A person's Retry: a finished run is scheduled again now, as a new attempt with a fresh retry budget. */
export async function retryRun(db: Db, workspaceId: string, actor: Actor, runId: string) {
  return personTransition(db, workspaceId, actor, runId, { type: "SCHEDULED", message: "Retried by a person" }, "run.retried");
}

export async function reportStates(db: Db, workspaceId: string, requests: TransitionRequest[]) {
  return applyTransitions(db.$client, workspaceId, requests);
}
