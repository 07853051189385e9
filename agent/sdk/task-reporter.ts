import type { State } from "../protocol/states";
import type { ApiClient } from "../client/api-client";
import { BackgroundBatcher } from "./background-batcher";

type Op =
  | { kind: "create"; id: string; taskKey: string; dynamicKey: string; name: string; upstreamTaskRunIds: string[]; cacheKey: string | null; state: State; timestamp: string }
  | { kind: "state"; taskRunId: string; state: State; timestamp: string };

/**
 * Task runs and their states, reported in the background: a task costs the flow microseconds.
 * Ids are made here, so states and upstream edges can be queued before the server has answered.
 * Each batch sends its creates in one request, then its states in another, in order.
 */
export class TaskReporter {
  private readonly batcher: BackgroundBatcher<Op>;
  /** A create answered with another id (the task run already existed): later reports use that one. */
  private readonly renamed = new Map<string, string>();

  constructor(client: ApiClient, runId: string) {
    this.batcher = new BackgroundBatcher(async (ops) => {
      const creates = ops.filter((o) => o.kind === "create");
      if (creates.length > 0) {
        const res = await client.request<{ taskRuns: { id: string; requestedId: string }[] }>("POST", "/task-runs/batch", {
          body: { runId, taskRuns: creates.map(({ kind: _k, ...c }) => ({ ...c, upstreamTaskRunIds: c.upstreamTaskRunIds.map((u) => this.id(u)) })) },
          tries: 8,
        });
        for (const t of res.taskRuns) if (t.id !== t.requestedId) this.renamed.set(t.requestedId, t.id);
      }
      const states = ops.filter((o) => o.kind === "state");
      if (states.length > 0) {
        await client.request("POST", "/task-runs/states", { body: { reports: states.map((s) => ({ taskRunId: this.id(s.taskRunId), state: s.state, timestamp: s.timestamp })) }, tries: 8 });
      }
    });
  }

  private id(requested: string) {
    return this.renamed.get(requested) ?? requested;
  }

  /** States carry the time they happened here: they reach the server up to a batch later. */
  create(op: Omit<Extract<Op, { kind: "create" }>, "kind" | "timestamp">) {
    this.batcher.push({ kind: "create", ...op, timestamp: new Date().toISOString() });
  }

  state(taskRunId: string, state: State) {
    this.batcher.push({ kind: "state", taskRunId, state, timestamp: new Date().toISOString() });
  }

  flush() {
    return this.batcher.flush();
  }
}
