import type { ApiClient } from "../client/api-client";
import { HEARTBEAT_SECONDS, KILL_GRACE_SECONDS } from "../protocol/leases";
import { runHeartbeatResponseSchema } from "../protocol/runs";
import type { LogSink } from "./log-sink";

/** The flow was cancelled by a person while it ran (ad-hoc runs). */
export class FlowCancelledError extends Error {
  constructor(flowName: string) {
    super(`Flow ${flowName} was cancelled in Baton`);
    this.name = "FlowCancelledError";
  }
}

/**
 * An ad-hoc run's lease: no agent holds it, so the script heartbeats it itself, with its run token.
 * A killed script stops heartbeating and Baton marks its run Crashed within a lease period. When a
 * person cancels the run, `cancelled` rejects (the flow call ends with FlowCancelledError, and no
 * further task starts); if the flow's code is still running a kill grace later, the process exits.
 */
export class AdhocLease {
  private timer: NodeJS.Timeout | null = null;
  private exitTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private lostWarned = false;
  private reject!: (err: Error) => void;
  readonly cancelled: Promise<never>;
  isCancelled = false;

  constructor(
    private readonly client: ApiClient,
    private readonly runId: string,
    private readonly flowName: string,
    private readonly logs: LogSink,
  ) {
    this.cancelled = new Promise<never>((_, reject) => (this.reject = reject));
    this.cancelled.catch(() => undefined);
    this.schedule();
  }

  /** The flow's own code has settled: no more heartbeats, and no forced exit. */
  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.exitTimer) clearTimeout(this.exitTimer);
  }

  private schedule() {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.beat(), HEARTBEAT_SECONDS * 1000);
    // The heartbeat must not keep a finished script alive.
    this.timer.unref();
  }

  private async beat() {
    try {
      const raw = await this.client.request<unknown>("POST", `/flow-runs/${this.runId}/heartbeat`, { tries: 1, timeoutMs: (HEARTBEAT_SECONDS + 2) * 1000 });
      const res = runHeartbeatResponseSchema.parse(raw);
      if (res.cancel && !this.isCancelled) this.cancel();
      if (res.lost && !res.cancel && !this.lostWarned) {
        this.lostWarned = true;
        this.warn(`Baton no longer holds this run as running (its lease expired: no heartbeat reached Baton for a while); its reports are refused.`);
      }
    } catch {
      // Unreachable for now: try again next time; the lease rules decide.
    }
    this.schedule();
  }

  private cancel() {
    this.isCancelled = true;
    this.warn(`Run cancelled in Baton: stopping flow ${this.flowName}.`);
    this.reject(new FlowCancelledError(this.flowName));
    this.exitTimer = setTimeout(() => {
      this.warn(`Flow ${this.flowName} was still running ${KILL_GRACE_SECONDS} s after the cancel: exiting the process.`);
      void this.logs.flush().finally(() => process.exit(130));
    }, KILL_GRACE_SECONDS * 1000);
    this.exitTimer.unref();
  }

  private warn(message: string) {
    this.logs.write({ level: "warning", message, timestamp: new Date().toISOString() });
    process.stderr.write(`baton: ${message}\n`);
  }
}
