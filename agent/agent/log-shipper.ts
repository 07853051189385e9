import type { LogLevel } from "../protocol/logs";
import { cutLine } from "../sdk/log-sink";
import { isRetryable, type ApiClient } from "../client/api-client";
import { backoffMs, sleep } from "../client/backoff";
import { printError } from "../cli/output";

export type ShippedLine = { runId: string; attempt: number; seq: number; level: LogLevel; timestamp: string; message: string; taskRunId?: string | null };

const MAX_BATCH_BYTES = 900 * 1024;
const MAX_BATCH_LINES = 1000;

/**
 * The agent's log lines of every run, sent in batches (every ~250 ms, ≤ 1,000 lines, < 1 MiB).
 * A batch the API did not take stays at the front and is sent again, with backoff, until it is
 * stored; (run, attempt, seq) makes a re-sent line a no-op on the server, so none is lost or
 * stored twice.
 */
export class LogShipper {
  private queue: ShippedLine[] = [];
  private running: Promise<void> | null = null;
  private idle: (() => void)[] = [];

  constructor(private readonly client: ApiClient) {}

  push(line: ShippedLine) {
    this.queue.push({ ...line, message: cutLine(line.message) });
    this.running ??= this.loop();
  }

  /** Resolves when every line pushed so far was stored (it waits through outages). */
  flushed(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  pending() {
    return this.queue.length;
  }

  private async loop() {
    let failures = 0;
    await sleep(250);
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      try {
        await this.client.request("POST", "/logs", { body: { logs: batch }, tries: 1, timeoutMs: 30_000 });
        this.queue.splice(0, batch.length);
        failures = 0;
      } catch (err) {
        if (!isRetryable(err)) {
          // The API refused the lines themselves (e.g. the run was deleted): keeping them would block every other run's logs.
          printError(`[baton agent] dropped ${batch.length} log lines the API refused: ${(err as Error).message}`);
          this.queue.splice(0, batch.length);
          continue;
        }
        const retryAfter = (err as { retryAfterMs?: number }).retryAfterMs ?? 0;
        await sleep(Math.max(retryAfter, backoffMs(failures++)));
      }
      if (this.queue.length > 0 && this.queue.length < MAX_BATCH_LINES) await sleep(250);
    }
    this.running = null;
    for (const resolve of this.idle.splice(0)) resolve();
  }

  private takeBatch(): ShippedLine[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && n < MAX_BATCH_LINES) {
      bytes += Buffer.byteLength(this.queue[n].message) + 200;
      if (bytes > MAX_BATCH_BYTES && n > 0) break;
      n++;
    }
    return this.queue.slice(0, n);
  }
}
