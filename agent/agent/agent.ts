import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { ApiClient, ApiError, isRetryable } from "../client/api-client";
import { backoffMs, sleep } from "../client/backoff";
import { LogShipper } from "./log-shipper";
import { SecretMasker } from "./mask-secrets";
import { RunProcess, type ClaimedRun, type RunOutput } from "./run-process";
import { StateReporter } from "./state-reporter";
import { HEARTBEAT_SECONDS, IDLE_HEARTBEAT_SECONDS, KILL_GRACE_SECONDS } from "../protocol/leases";
import { isConnectionReset, later, leaseEnd, now, passed, provesServerCannotHear, type Instant } from "./lease-deadline";
import { claimResponseSchema } from "../protocol/work-pools";
import { CodeUnavailable, RunCode, type PreparedCode } from "./run-code";

export type AgentOptions = {
  client: ApiClient;
  apiUrl: string;
  pool: string;
  limit: number;
  name: string;
  workdir: string;
  /** The interpreter of Python flows whose deployment names none (`--python`, default python3). */
  python: string;
  /** The code cache of git sources (default ~/.baton/cache) and its bound on checkouts. */
  cacheDir?: string;
  cacheMaxBytes?: number;
  graceSeconds: number;
  version: string;
  log: (line: string) => void;
};

const CLAIM_WAIT_SECONDS = 30;

/**
 * A run this agent holds. Before its process starts (its code is being fetched and set up), the
 * agent keeps its lease here and a stop asked for it aborts the preparation.
 */
type Held = { run: ClaimedRun; process: RunProcess | null; seq: number; lease: Instant | null; prep: AbortController; stopAsked: "cancel" | "lost" | null; masker: SecretMasker };

/**
 * `baton agent start`: registers, heartbeats, and long-polls its pool for runs while it has free
 * slots; runs each in its own process; reports states and ships logs in the background, holding
 * them through outages. SIGTERM: stop claiming, give back runs not started, let running ones
 * finish (up to the grace period), then exit 0.
 */
export class Agent {
  private id = "";
  private readonly held = new Map<string, Held>();
  private readonly logs: LogShipper;
  private readonly states: StateReporter;
  private readonly stopping = new AbortController();
  private claimAbort = new AbortController();
  private slotFreed: (() => void) | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readonly runnerPath = fileURLToPath(new URL("./runner.js", import.meta.url));
  private readonly code: RunCode;

  constructor(private readonly opts: AgentOptions) {
    this.logs = new LogShipper(opts.client);
    this.states = new StateReporter(opts.client);
    this.code = new RunCode({ workdir: opts.workdir, cacheDir: opts.cacheDir, cacheMaxBytes: opts.cacheMaxBytes, log: opts.log });
  }

  async run(): Promise<number> {
    const { client, pool, limit, name } = this.opts;
    // Handlers first: a SIGTERM while the agent is still registering stops it cleanly too.
    const onSignal = (sig: string) => {
      if (this.stopping.signal.aborted) {
        this.opts.log(`${sig} again: stopping running runs now`);
        for (const h of this.held.values()) h.process?.stop("shutdown");
        return;
      }
      this.opts.log(`${sig}: no new runs; waiting up to ${this.opts.graceSeconds} s for ${this.running()} running run(s)`);
      this.stopping.abort();
      this.claimAbort.abort();
      this.slotFreed?.();
    };
    process.on("SIGTERM", () => onSignal("SIGTERM"));
    process.on("SIGINT", () => onSignal("SIGINT"));
    let agent: { id: string };
    try {
      agent = await client.request<{ id: string }>("POST", "/agents", {
        body: { name, workPool: pool, hostname: hostname(), version: this.opts.version, slots: limit },
        retryUntil: this.stopping.signal,
      });
    } catch (err) {
      if (this.stopping.signal.aborted) return 0;
      throw err;
    }
    if (this.stopping.signal.aborted) return 0;
    this.id = agent.id;
    this.opts.log(`Agent "${name}" (${this.id}) polling pool "${pool}" with ${limit} slot${limit === 1 ? "" : "s"}; runs in ${this.opts.workdir}`);
    this.scheduleHeartbeat(this.heartbeatMs());
    await this.claimLoop();
    return this.shutdown();
  }

  private running() {
    return [...this.held.values()].filter((h) => h.process).length;
  }

  private async claimLoop() {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      const free = this.opts.limit - this.held.size;
      if (free <= 0) {
        await new Promise<void>((r) => (this.slotFreed = r));
        this.slotFreed = null;
        continue;
      }
      this.claimAbort = new AbortController();
      let runs: ClaimedRun[];
      try {
        const answer = await this.opts.client.request<unknown>("POST", `/work-pools/${encodeURIComponent(this.opts.pool)}/claim`, {
          body: { agentId: this.id, slots: free, waitSeconds: CLAIM_WAIT_SECONDS },
          signal: this.claimAbort.signal,
          timeoutMs: (CLAIM_WAIT_SECONDS + 15) * 1000,
          tries: 1,
        });
        ({ runs } = claimResponseSchema.parse(answer));
        failures = 0;
      } catch (err) {
        if (this.stopping.signal.aborted) break;
        if (!isRetryable(err)) throw err;
        const wait = Math.max((err as ApiError).retryAfterMs ?? 0, backoffMs(failures++));
        this.opts.log(`Claim failed (${(err as Error).message}); retrying in ${(wait / 1000).toFixed(1)} s`);
        await sleep(wait, this.stopping.signal);
        continue;
      }
      for (const run of runs) this.held.set(run.id, { run, process: null, seq: 0, lease: null, prep: new AbortController(), stopAsked: null, masker: SecretMasker.forRun(run) });
      if (runs.length > 0) this.heartbeatSoon();
      for (const run of runs) void this.execute(run);
    }
  }

  private async execute(run: ClaimedRun) {
    const held = this.held.get(run.id)!;
    if (this.stopping.signal.aborted) return this.handBack(run);
    const started = await this.states.report(run, { type: "RUNNING" });
    if (started.status !== "ACCEPT") {
      this.opts.log(`Run ${run.name} (${run.id}) not started: ${started.reason ?? started.status}`);
      return this.release(run.id);
    }
    // The accepted RUNNING renewed the lease, from when the server may have taken it.
    held.lease = leaseEnd(started.appliedFrom ?? now());
    const code = await this.prepareCode(held);
    if (!code) return this.release(run.id);
    this.opts.log(`Run ${run.name} (${run.id}) attempt ${run.attempt} starting: ${run.deployment?.kind === "command" ? run.deployment.command : run.deployment?.entrypoint} in ${code.dir}`);
    try {
      await this.runProcess(held, code);
    } finally {
      code.release();
    }
    this.release(run.id);
  }

  /**
   * The run's code, ready to run; null when the run ends here: its code cannot be had (reported
   * Failed with why), it was cancelled meanwhile (Cancelled), or its lease ran out (nothing: Baton
   * may run it elsewhere already).
   */
  private async prepareCode(held: Held): Promise<PreparedCode | null> {
    const { run } = held;
    let code: PreparedCode | null = null;
    let failure: string | null = null;
    try {
      code = await this.code.prepare(run, {
        signal: held.prep.signal,
        onOutput: (level, message) => this.output(held, { level, message }),
        recordCommit: (commit) => this.recordCommit(run, commit),
        credentials: run.sourceCredentials,
      });
    } catch (err) {
      if (!(err instanceof CodeUnavailable)) throw err;
      failure = err.message;
    }
    const end = (state: Parameters<StateReporter["report"]>[1] | null, why: string) => {
      code?.release();
      this.opts.log(`Run ${run.name} (${run.id}) not started: ${why}`);
      return state ? this.states.report(run, state).then(() => null) : null;
    };
    if (held.stopAsked === "lost" || passed(held.lease!)) return end(null, "its lease ran out while its code was prepared");
    if (held.stopAsked === "cancel") return end({ type: "CANCELLED", message: "Cancelled before it started (its code was being prepared)" }, "cancelled");
    if (failure) {
      this.output(held, { level: "error", message: failure });
      await this.logs.flushed();
      return end({ type: "FAILED", message: failure.slice(0, 4000) }, failure);
    }
    return code;
  }

  private async runProcess(held: Held, code: PreparedCode) {
    const { run } = held;
    const proc = new RunProcess(
      run,
      {
        apiUrl: this.opts.apiUrl,
        runnerPath: this.runnerPath,
        workdir: code.dir,
        python: this.opts.python,
        graceSeconds: KILL_GRACE_SECONDS,
        onOutput: (o) => this.output(held, o),
        onSecret: (value) => held.masker.add(value),
        onLeaseLost: () => this.opts.log(`Run ${run.name} (${run.id}): its lease was not renewed in time (Baton unreachable), so Baton may start it again elsewhere: stopping it`),
      },
      held.lease!,
    );
    held.process = proc;
    proc.start();
    const final = await proc.done;
    await this.logs.flushed();
    if (final) {
      if (final.message) final.message = held.masker.mask(final.message);
      const res = await this.states.report(run, final);
      this.opts.log(`Run ${run.name} (${run.id}) ${final.name ?? final.type}${res.status === "ACCEPT" ? "" : ` (server: ${res.status} ${res.reason ?? ""})`}`);
    }
  }

  /** The commit a git run resolved to, for its page and its retries; a run whose commit could not be recorded still runs. */
  private async recordCommit(run: ClaimedRun, commit: string) {
    try {
      await new ApiClient(this.opts.client.baseUrl, run.runToken, "baton-agent").request("POST", `/flow-runs/${run.id}/source-commit`, { body: { commit }, timeoutMs: 10_000 });
    } catch (err) {
      this.opts.log(`Run ${run.name} (${run.id}): could not record its commit ${commit} (${(err as Error).message}); it runs it anyway`);
    }
  }

  /** A renewal got through (or an outage was proven) for the held runs in `ids`. */
  private renew(ids: string[], deadline: Instant) {
    for (const id of ids) {
      const h = this.held.get(id);
      if (!h) continue;
      if (h.lease) h.lease = later(h.lease, deadline);
      h.process?.renew(deadline);
    }
  }

  /** Stop a held run: its process, or its preparation. */
  private stopHeld(h: Held, why: "cancel" | "lost") {
    if (h.process) return h.process.stop(why);
    h.stopAsked ??= why;
    h.prep.abort();
  }

  private output(held: Held, o: RunOutput) {
    this.logs.push({
      runId: held.run.id,
      attempt: held.run.attempt,
      seq: held.seq++,
      level: o.level,
      timestamp: o.timestamp ?? new Date().toISOString(),
      message: held.masker.mask(o.message),
      taskRunId: o.taskRunId ?? null,
    });
  }

  private async handBack(run: ClaimedRun) {
    const res = await this.states.report(run, { type: "SCHEDULED", message: "Given back by its agent, which was shutting down" });
    this.opts.log(`Run ${run.name} (${run.id}) given back: ${res.status}`);
    this.release(run.id);
  }

  private release(runId: string) {
    this.held.delete(runId);
    this.slotFreed?.();
  }

  /** Often while it holds runs (their leases depend on it), rarely when idle (only to show it online). */
  private heartbeatMs() {
    return (this.held.size > 0 ? HEARTBEAT_SECONDS : IDLE_HEARTBEAT_SECONDS) * 1000;
  }

  private nextBeatAt = 0;

  private scheduleHeartbeat(ms: number) {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.nextBeatAt = Date.now() + ms;
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeatTimer = null;
      void this.heartbeat();
    }, ms);
    this.heartbeatTimer.unref();
  }

  /** A run just taken on: its lease needs the busy cadence from now, not after the idle wait. */
  private heartbeatSoon() {
    if (this.heartbeatTimer && this.nextBeatAt > Date.now() + HEARTBEAT_SECONDS * 1000) this.scheduleHeartbeat(HEARTBEAT_SECONDS * 1000);
  }

  private heartbeatFailures = 0;

  private async heartbeat() {
    const runs = [...this.held.values()].map((h) => ({ runId: h.run.id, attempt: h.run.attempt, leaseToken: h.run.leaseToken }));
    let sent = now();
    let afterReset = false;
    // Short timeout: an answer that takes longer is as good as lost, and the next try comes sooner.
    const beat = () =>
      this.opts.client.request<{ cancel: string[]; lost: string[] }>("POST", `/agents/${this.id}/heartbeat`, { body: { runs }, tries: 1, timeoutMs: (HEARTBEAT_SECONDS + 2) * 1000 });
    try {
      let res: { cancel: string[]; lost: string[] };
      try {
        res = await beat();
      } catch (err) {
        // Closed unanswered: once more at once, which tells a dead server from a stale connection.
        if (!isConnectionReset(err)) throw err;
        afterReset = true;
        sent = now();
        res = await beat();
      }
      this.heartbeatFailures = 0;
      const lost = new Set(res.lost);
      this.renew(runs.filter((r) => !lost.has(r.runId)).map((r) => r.runId), leaseEnd(sent));
      for (const id of res.cancel) {
        const h = this.held.get(id);
        if (!h) continue;
        this.opts.log(`Run ${h.run.name} (${id}) cancelled: stopping it`);
        this.stopHeld(h, "cancel");
      }
      for (const id of res.lost) {
        const h = this.held.get(id);
        if (!h) continue;
        this.opts.log(`Run ${h.run.name} (${id}) is no longer this agent's (its lease expired): stopping it`);
        this.stopHeld(h, "lost");
      }
      this.scheduleHeartbeat(this.heartbeatMs());
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) this.opts.log(`Heartbeat refused: ${err.message}`);
      // The server is down (not merely unreachable from here): it reaps nothing until a lease
      // period after it can hear again, so the runs may go on as if this try had renewed them.
      if (provesServerCannotHear(err, { afterReset })) this.renew(runs.map((r) => r.runId), leaseEnd(sent));
      // Sooner than usual: a lease runs out 10 s (LEASE_SECONDS) after the last renewal that got through.
      this.scheduleHeartbeat(backoffMs(this.heartbeatFailures++, 500, 2000));
    }
  }

  private async shutdown(): Promise<number> {
    const deadline = Date.now() + this.opts.graceSeconds * 1000;
    while (this.held.size > 0 && Date.now() < deadline) await sleep(100);
    if (this.held.size > 0) {
      this.opts.log(`Grace period over: stopping ${this.held.size} run(s)`);
      for (const h of this.held.values()) h.process?.stop("shutdown");
      while (this.held.size > 0) await sleep(100);
    }
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    await Promise.race([this.logs.flushed(), sleep(15_000)]);
    if (this.logs.pending() > 0 || this.states.pending() > 0) {
      this.opts.log(`Exiting with ${this.logs.pending()} log lines and ${this.states.pending()} states the API did not take`);
      return 1;
    }
    this.opts.log("Stopped.");
    return 0;
  }
}
