import { LEASED_STATES, STATE_NAMES, TERMINAL_STATES, type StateType } from "../../agent/protocol/states";

/**
 * The state rules, as a table. Every change to a flow run's state is decided here, by a pure
 * function, so each rule can be tested alone and the database code only applies decisions.
 *
 * Who proposes:
 *   agent  – an agent or the SDK inside a claimed run (fenced by attempt + lease or run token)
 *   sdk    – the SDK running a flow outside an agent (ad-hoc run; fenced by run token)
 *   user   – a person or an API client acting for one (cancel, retry, set state)
 *   server – Baton's own services (late marker, lease reaper, catch-up step, a claim whose env
 *            cannot be resolved)
 * A claim (SCHEDULED → PENDING) is not a proposal: only claimRuns does it.
 */
export type Proposer = "agent" | "sdk" | "user" | "server";

export type RunSnapshot = {
  type: StateType;
  name: string;
  scheduledTime: Date;
  /** Retries the deployment allows, and how many automatic ones this run has used. */
  retries: number;
  autoRetries: number;
  retryDelaySeconds: number;
  hasAgent: boolean;
  /** No new attempt may start before this (the fence after an expired lease): retries wait for it. */
  notBefore?: Date | null;
};

export type ProposedState = { type: StateType; name?: string; message?: string | null };

export type Decision =
  | { kind: "ACCEPT"; state: { type: StateType; name: string; message: string | null }; scheduledTime?: Date; newAttempt?: boolean; retry?: boolean }
  | { kind: "REJECT"; reason: string }
  | { kind: "WAIT"; seconds: number; reason: string };

type Rule = {
  from: readonly StateType[];
  to: StateType;
  by: readonly Proposer[];
  /** Extra condition and what to say when it fails. */
  when?: (run: RunSnapshot, p: ProposedState) => string | null;
  why: string;
};


export const RULES: readonly Rule[] = [
  { from: ["PENDING"], to: "RUNNING", by: ["agent"], why: "the agent started the claimed run" },
  { from: ["RUNNING"], to: "RUNNING", by: ["agent", "sdk"], why: "a running run may rename itself (Retrying)" },
  { from: ["SCHEDULED"], to: "RUNNING", by: ["sdk"], when: (r) => (r.hasAgent ? "runs of a deployment start through a claim" : null), why: "an ad-hoc run starts its next attempt" },
  { from: ["PENDING"], to: "SCHEDULED", by: ["agent"], why: "an agent gives back a run it has not started" },
  { from: ["PENDING", "RUNNING", "CANCELLING", "PAUSED"], to: "COMPLETED", by: ["agent", "sdk"], why: "the run finished (also when a cancel came too late, or its process ended while paused)" },
  { from: ["PENDING", "RUNNING", "CANCELLING", "PAUSED"], to: "FAILED", by: ["agent", "sdk"], why: "the run failed or timed out (also while paused)" },
  { from: ["RUNNING"], to: "PAUSED", by: ["agent", "sdk"], why: "the flow waits in place for a person's input (pauseForInput / pause_flow_run)" },
  { from: ["PAUSED"], to: "RUNNING", by: ["user"], why: "a person answered the pause: the waiting process carries on with the input" },
  { from: ["PAUSED"], to: "FAILED", by: ["server"], why: "nobody answered the pause within its timeout: Baton fails the run (no retry: another attempt would ask again)" },
  {
    from: ["PENDING"],
    to: "FAILED",
    by: ["server"],
    why: "the claim could not resolve the run's env (a secret or variable it references was deleted): retrying cannot fix that",
  },
  { from: ["PENDING", "RUNNING", "CANCELLING", "PAUSED"], to: "CRASHED", by: ["agent", "sdk", "server"], why: "the process or its agent died" },
  { from: ["CANCELLING"], to: "CANCELLED", by: ["agent", "sdk", "server"], why: "the agent stopped the process, or the lease expired" },
  { from: ["PENDING", "RUNNING", "PAUSED"], to: "CANCELLED", by: ["agent", "sdk"], why: "the process was stopped on its own" },
  { from: ["SCHEDULED", "PENDING"], to: "CANCELLED", by: ["user"], why: "cancel before it runs: nothing to stop" },
  { from: ["RUNNING", "PAUSED"], to: "CANCELLING", by: ["user"], why: "cancel a running (or paused, waiting in place) run: its agent stops the process" },
  {
    from: ["SCHEDULED"],
    to: "CANCELLED",
    by: ["server"],
    when: (r, p) => (p.name !== "Skipped" ? "Baton only cancels a scheduled run to skip it (name Skipped)" : r.name === "AwaitingRetry" ? "a retry is never skipped" : null),
    why: "the catch-up step skips a missed scheduled run",
  },
  { from: ["SCHEDULED"], to: "SCHEDULED", by: ["server"], when: (r, p) => (p.name === "Late" && r.name === "Scheduled" ? null : "only a Scheduled run can be marked Late"), why: "the late marker" },
  { from: ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"], to: "SCHEDULED", by: ["user"], why: "a person's Retry starts a new attempt" },
];

const DEFAULT_NAME = (type: StateType) => STATE_NAMES[type][0];

/** Decides one proposal against the run's current state. Fencing and transitionId replay are checked before this. */
export function decide(run: RunSnapshot, proposal: ProposedState, by: Proposer, now: Date): Decision {
  const name = proposal.name ?? DEFAULT_NAME(proposal.type);
  const message = proposal.message ?? null;
  if (proposal.type === "PENDING") return { kind: "REJECT", reason: "Only a claim moves a run to PENDING." };
  if (TERMINAL_STATES.includes(run.type) && by !== "user") {
    return { kind: "REJECT", reason: `The run is already ${run.name}; terminal states are final (a person's Retry starts a new attempt).` };
  }
  if (run.type === "CANCELLING" && proposal.type === "CANCELLING") return { kind: "REJECT", reason: "The run is already being cancelled." };

  const rule = RULES.find((r) => r.to === proposal.type && r.from.includes(run.type) && r.by.includes(by));
  if (!rule) return { kind: "REJECT", reason: `A run cannot go from ${run.name} to ${name} (${describe(by)}).` };
  const refusal = rule.when?.(run, { ...proposal, name });
  if (refusal) return { kind: "REJECT", reason: `Refused: ${refusal}.` };

  if (proposal.type === "RUNNING" && run.type === "SCHEDULED") {
    const wait = Math.ceil((run.scheduledTime.getTime() - now.getTime()) / 1000);
    if (wait > 0) return { kind: "WAIT", seconds: wait, reason: `The next attempt may start in ${wait} s.` };
    return { kind: "ACCEPT", state: { type: "RUNNING", name, message }, newAttempt: true };
  }
  // Baton fails a run itself only when its configuration is broken, which another attempt would not fix.
  const retriable = proposal.type === "CRASHED" || (proposal.type === "FAILED" && by !== "server");
  if (retriable && run.autoRetries < run.retries) {
    const scheduledTime = notSooner(new Date(now.getTime() + run.retryDelaySeconds * 1000), run.notBefore);
    const why = message ? `${name}: ${message}` : name;
    return {
      kind: "ACCEPT",
      state: { type: "SCHEDULED", name: "AwaitingRetry", message: `Retry ${run.autoRetries + 1} of ${run.retries} after ${why}` },
      scheduledTime,
      retry: true,
    };
  }
  if (rule.to === "SCHEDULED" && by === "user") {
    return { kind: "ACCEPT", state: { type: "SCHEDULED", name: "Scheduled", message: message ?? "Retried by a person" }, scheduledTime: notSooner(now, run.notBefore) };
  }
  if (rule.to === "SCHEDULED" && by === "agent") {
    return { kind: "ACCEPT", state: { type: "SCHEDULED", name: "Scheduled", message: message ?? "Given back by its agent before it started" }, scheduledTime: now };
  }
  return { kind: "ACCEPT", state: { type: proposal.type, name, message } };
}

const notSooner = (t: Date, notBefore: Date | null | undefined) => (notBefore && notBefore > t ? notBefore : t);

export function isActive(type: StateType) {
  return LEASED_STATES.includes(type);
}

function describe(by: Proposer) {
  return { agent: "as reported by its agent", sdk: "as reported by the SDK", user: "as asked by a person", server: "by Baton" }[by];
}

/**
 * The states from which an agent's proposal of `type` is accepted exactly as proposed, whatever
 * the run's retries or times: the transitions the one-statement fast path may apply without
 * reading the run first. Null when the decision depends on more than the current state.
 */
export function simpleAcceptFrom(type: StateType, by: Proposer): readonly StateType[] | null {
  if (by !== "agent" || (type !== "RUNNING" && type !== "COMPLETED")) return null;
  return RULES.filter((r) => r.to === type && r.by.includes(by) && !r.when).flatMap((r) => r.from);
}
