import { describe, expect, it } from "vitest";
import { decide, simpleAcceptFrom, type Proposer, type RunSnapshot } from "../server/orchestration/rules";
import { retryDelaySeconds } from "../server/orchestration/retry-delay";
import { STATE_TYPES, type StateType } from "../agent/protocol/states";

const now = new Date("2026-11-26T09:00:00Z");
const run = (type: StateType, over: Partial<RunSnapshot> = {}): RunSnapshot => ({
  type,
  name: { SCHEDULED: "Scheduled", PENDING: "Pending", RUNNING: "Running", COMPLETED: "Completed", FAILED: "Failed", CRASHED: "Crashed", CANCELLING: "Cancelling", CANCELLED: "Cancelled", PAUSED: "Paused" }[type],
  scheduledTime: now,
  retries: 0,
  autoRetries: 0,
  retryDelaySeconds: 0,
  hasAgent: true,
  ...over,
});
const kind = (from: StateType, to: StateType, by: Proposer, over: Partial<RunSnapshot> = {}, name?: string) => decide(run(from, over), { type: to, name }, by, now).kind;

describe("the state rules", () => {
  it("only a claim moves a run to PENDING", () => {
    for (const by of ["agent", "sdk", "user", "server"] as const) expect(kind("SCHEDULED", "PENDING", by)).toBe("REJECT");
  });

  it("terminal states are final for agents, the SDK and Baton itself", () => {
    for (const from of ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"] as const) {
      for (const to of ["RUNNING", "COMPLETED", "FAILED", "CRASHED", "CANCELLED", "SCHEDULED"] as const) {
        for (const by of ["agent", "sdk", "server"] as const) expect(kind(from, to, by), `${from}→${to} by ${by}`).toBe("REJECT");
      }
    }
  });

  it("a person's Retry of a finished run schedules a new attempt now, with a fresh budget", () => {
    for (const from of ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"] as const) {
      const d = decide(run(from), { type: "SCHEDULED" }, "user", now);
      expect(d).toMatchObject({ kind: "ACCEPT", state: { type: "SCHEDULED", name: "Scheduled" }, scheduledTime: now });
    }
    expect(kind("RUNNING", "SCHEDULED", "user")).toBe("REJECT");
  });

  it("the agent starts and finishes claimed runs", () => {
    expect(kind("PENDING", "RUNNING", "agent")).toBe("ACCEPT");
    for (const to of ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"] as const) expect(kind("RUNNING", to, "agent"), to).toBe("ACCEPT");
    expect(kind("SCHEDULED", "RUNNING", "agent")).toBe("REJECT");
    expect(kind("SCHEDULED", "COMPLETED", "agent")).toBe("REJECT");
  });

  it("FAILED or CRASHED with retries left becomes AwaitingRetry after the delay; crashes use the same budget", () => {
    for (const to of ["FAILED", "CRASHED"] as const) {
      const d = decide(run("RUNNING", { retries: 2, autoRetries: 1, retryDelaySeconds: 30 }), { type: to, message: "boom" }, "agent", now);
      expect(d).toMatchObject({ kind: "ACCEPT", retry: true, state: { type: "SCHEDULED", name: "AwaitingRetry" } });
      expect(d.kind === "ACCEPT" && d.scheduledTime?.getTime()).toBe(now.getTime() + 30_000);
      expect(d.kind === "ACCEPT" && d.state.message).toContain("Retry 2 of 2");
    }
    expect(decide(run("RUNNING", { retries: 2, autoRetries: 2 }), { type: "FAILED" }, "agent", now)).toMatchObject({ kind: "ACCEPT", state: { type: "FAILED" } });
    expect(decide(run("RUNNING", { retries: 2 }), { type: "FAILED", name: "TimedOut" }, "agent", now)).toMatchObject({ state: { name: "AwaitingRetry" } });
    expect(decide(run("RUNNING", { retries: 2 }), { type: "CANCELLED" }, "agent", now)).toMatchObject({ state: { type: "CANCELLED" } });
  });

  it("cancel: SCHEDULED and PENDING at once, RUNNING through CANCELLING", () => {
    expect(kind("SCHEDULED", "CANCELLED", "user")).toBe("ACCEPT");
    expect(kind("PENDING", "CANCELLED", "user")).toBe("ACCEPT");
    expect(kind("RUNNING", "CANCELLED", "user")).toBe("REJECT");
    expect(kind("RUNNING", "CANCELLING", "user")).toBe("ACCEPT");
    expect(kind("CANCELLING", "CANCELLED", "agent")).toBe("ACCEPT");
    expect(kind("CANCELLING", "CANCELLED", "server")).toBe("ACCEPT");
    expect(kind("CANCELLING", "CANCELLING", "user")).toBe("REJECT");
    expect(kind("SCHEDULED", "CANCELLING", "user")).toBe("REJECT");
  });

  it("Late only from a Scheduled run, only by Baton", () => {
    expect(kind("SCHEDULED", "SCHEDULED", "server", {}, "Late")).toBe("ACCEPT");
    expect(kind("SCHEDULED", "SCHEDULED", "server", { name: "AwaitingRetry" }, "Late")).toBe("REJECT");
    expect(kind("PENDING", "SCHEDULED", "server", {}, "Late")).toBe("REJECT");
    expect(kind("SCHEDULED", "SCHEDULED", "agent", {}, "Late")).toBe("REJECT");
  });

  it("Baton skips a waiting Scheduled or Late run (catch-up), never a retry, a claimed run or without the name Skipped", () => {
    expect(kind("SCHEDULED", "CANCELLED", "server", {}, "Skipped")).toBe("ACCEPT");
    expect(kind("SCHEDULED", "CANCELLED", "server", { name: "Late" }, "Skipped")).toBe("ACCEPT");
    expect(kind("SCHEDULED", "CANCELLED", "server", { name: "AwaitingRetry" }, "Skipped")).toBe("REJECT");
    expect(kind("SCHEDULED", "CANCELLED", "server")).toBe("REJECT");
    expect(kind("PENDING", "CANCELLED", "server", {}, "Skipped")).toBe("REJECT");
    expect(kind("RUNNING", "CANCELLED", "server", {}, "Skipped")).toBe("REJECT");
  });

  it("the lease reaper crashes PENDING and RUNNING runs and cancels CANCELLING ones", () => {
    expect(kind("PENDING", "CRASHED", "server")).toBe("ACCEPT");
    expect(kind("RUNNING", "CRASHED", "server")).toBe("ACCEPT");
    expect(kind("CANCELLING", "CANCELLED", "server")).toBe("ACCEPT");
    expect(kind("RUNNING", "COMPLETED", "server")).toBe("REJECT");
  });

  it("an agent may give back a run it has not started", () => {
    expect(decide(run("PENDING"), { type: "SCHEDULED" }, "agent", now)).toMatchObject({ kind: "ACCEPT", state: { type: "SCHEDULED", name: "Scheduled" } });
    expect(kind("RUNNING", "SCHEDULED", "agent")).toBe("REJECT");
  });

  it("an ad-hoc run's next attempt WAITs until its retry time, then starts", () => {
    const awaiting = { name: "AwaitingRetry", hasAgent: false, scheduledTime: new Date(now.getTime() + 10_000) };
    expect(decide(run("SCHEDULED", awaiting), { type: "RUNNING" }, "sdk", now)).toMatchObject({ kind: "WAIT", seconds: 10 });
    expect(decide(run("SCHEDULED", { ...awaiting, scheduledTime: now }), { type: "RUNNING" }, "sdk", now)).toMatchObject({ kind: "ACCEPT", newAttempt: true });
    expect(kind("SCHEDULED", "RUNNING", "sdk", { hasAgent: true })).toBe("REJECT");
  });

  describe("Paused (waiting in place for a person's input)", () => {
    it("a running run pauses itself, through its agent's SDK or an ad-hoc run's SDK; nothing else pauses it", () => {
      expect(kind("RUNNING", "PAUSED", "agent")).toBe("ACCEPT");
      expect(kind("RUNNING", "PAUSED", "sdk")).toBe("ACCEPT");
      for (const by of ["user", "server"] as const) expect(kind("RUNNING", "PAUSED", by), by).toBe("REJECT");
      for (const from of ["SCHEDULED", "PENDING", "CANCELLING", "PAUSED", "COMPLETED", "FAILED", "CRASHED", "CANCELLED"] as const) {
        expect(kind(from, "PAUSED", "agent"), from).toBe("REJECT");
      }
    });

    it("only a person's answer resumes it: PAUSED → RUNNING by a user, never by the agent, the SDK or Baton", () => {
      expect(decide(run("PAUSED"), { type: "RUNNING" }, "user", now)).toMatchObject({ kind: "ACCEPT", state: { type: "RUNNING", name: "Running" } });
      for (const by of ["agent", "sdk", "server"] as const) expect(kind("PAUSED", "RUNNING", by), by).toBe("REJECT");
    });

    it("the timeout: Baton fails a paused run, and never retries it (another attempt would only ask again)", () => {
      const d = decide(run("PAUSED", { retries: 3 }), { type: "FAILED", message: "Nobody answered within 1 h" }, "server", now);
      expect(d).toMatchObject({ kind: "ACCEPT", state: { type: "FAILED", message: "Nobody answered within 1 h" } });
      expect(kind("RUNNING", "FAILED", "server")).toBe("REJECT");
    });

    it("a person's cancel of a paused run goes through CANCELLING: its process is still there to stop", () => {
      expect(kind("PAUSED", "CANCELLING", "user")).toBe("ACCEPT");
      expect(kind("PAUSED", "CANCELLED", "user")).toBe("REJECT");
    });

    it("the lease reaper crashes a paused run whose lease expired (with retries left, it retries)", () => {
      expect(kind("PAUSED", "CRASHED", "server")).toBe("ACCEPT");
      expect(decide(run("PAUSED", { retries: 1 }), { type: "CRASHED" }, "server", now)).toMatchObject({ kind: "ACCEPT", retry: true });
    });

    it("its process may end while paused: the agent reports what became of it", () => {
      for (const to of ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"] as const) expect(kind("PAUSED", to, "agent"), to).toBe("ACCEPT");
    });
  });

  it("retry delays: fixed, a list per retry, exponential with bounded jitter", () => {
    expect(retryDelaySeconds({ kind: "fixed", seconds: 7 }, 3)).toBe(7);
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds({ kind: "list", seconds: [5, 30, 60] }, n))).toEqual([5, 30, 60, 60]);
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds({ kind: "exponential", baseSeconds: 10, maxSeconds: 35, jitter: 0 }, n))).toEqual([10, 20, 35, 35]);
    for (const r of [0, 0.5, 0.999]) {
      const d = retryDelaySeconds({ kind: "exponential", baseSeconds: 10, jitter: 0.2 }, 2, () => r);
      expect(d).toBeGreaterThanOrEqual(16);
      expect(d).toBeLessThanOrEqual(24);
    }
  });

  it("the fast path's from-states are exactly those where the rules accept the proposal unchanged", () => {
    for (const to of STATE_TYPES) {
      const from = simpleAcceptFrom(to, "agent");
      if (!from) continue;
      for (const state of STATE_TYPES) {
        for (const retries of [0, 3]) {
          const d = decide(run(state, { retries }), { type: to }, "agent", now);
          const unchanged = d.kind === "ACCEPT" && d.state.type === to && !d.newAttempt && !d.retry && !d.scheduledTime;
          expect(from.includes(state), `${state} → ${to} (retries ${retries})`).toBe(unchanged);
        }
      }
    }
    expect(simpleAcceptFrom("FAILED", "agent")).toBeNull();
    expect(simpleAcceptFrom("COMPLETED", "user")).toBeNull();
  });
});
