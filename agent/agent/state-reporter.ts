import { randomUUID } from "node:crypto";
import type { State } from "../protocol/states";
import { isRetryable, UnreachableError, type ApiClient } from "../client/api-client";
import { backoffMs, sleep } from "../client/backoff";
import { now, type Instant } from "./lease-deadline";

/**
 * `appliedFrom`: the earliest moment the server may have applied the report. An accepted RUNNING
 * renews the lease from when the server took it, which may be an earlier try whose answer was
 * lost (the accepting answer then says `replayed`): the agent counts the lease from the first try
 * that may have reached the server, never later. A refused connection reached nobody.
 */
export type ReportResult = {
  status: "ACCEPT" | "REJECT" | "WAIT" | "CONFLICT" | "NOT_FOUND";
  reason?: string;
  state?: { type: string; name: string };
  replayed?: boolean;
  appliedFrom?: Instant;
};
type Pending = { report: { runId: string; attempt: number; leaseToken: string; transitionId: string; state: State }; resolve: (r: ReportResult) => void; firstSent?: Instant };

/**
 * Flow run states the agent reports, batched and in order. Each report gets its transition id
 * once, so re-sending after a lost answer changes nothing twice; retryable failures are retried
 * with backoff until the API takes them.
 */
export class StateReporter {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;

  constructor(private readonly client: ApiClient) {}

  report(run: { id: string; attempt: number; leaseToken: string }, state: State): Promise<ReportResult> {
    return new Promise((resolve) => {
      this.queue.push({ report: { runId: run.id, attempt: run.attempt, leaseToken: run.leaseToken, transitionId: randomUUID(), state }, resolve });
      this.running ??= this.loop();
    });
  }

  pending() {
    return this.queue.length;
  }

  private async loop() {
    let failures = 0;
    await Promise.resolve();
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, 500);
      const sent = now();
      for (const p of batch) p.firstSent ??= sent;
      const reachedNobody = () => {
        for (const p of batch) if (p.firstSent === sent) p.firstSent = undefined;
      };
      try {
        const res = await this.client.request<{ results: ReportResult[] }>("POST", "/flow-runs/states", { body: { reports: batch.map((p) => p.report) }, tries: 1, timeoutMs: 30_000 });
        this.queue.splice(0, batch.length);
        batch.forEach((p, i) => p.resolve({ ...res.results[i], appliedFrom: res.results[i]?.replayed ? p.firstSent : sent }));
        failures = 0;
      } catch (err) {
        if (err instanceof UnreachableError && err.code === "ECONNREFUSED") reachedNobody();
        if (!isRetryable(err)) {
          this.queue.splice(0, batch.length);
          for (const p of batch) p.resolve({ status: "REJECT", reason: (err as Error).message });
          continue;
        }
        const retryAfter = (err as { retryAfterMs?: number }).retryAfterMs ?? 0;
        await sleep(Math.max(retryAfter, backoffMs(failures++)));
      }
    }
    this.running = null;
  }
}
