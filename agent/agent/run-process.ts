import { fork, type ChildProcess } from "node:child_process";
import readline from "node:readline";
import type { z } from "zod";
import type { claimedRunSchema } from "../protocol/work-pools";
import type { LogLevel } from "../protocol/logs";
import type { State } from "../protocol/states";
import { msUntil, passed, toWire, type Instant } from "./lease-deadline";
import { StderrLevels } from "./stderr-level";

/** A run as the claim hands it over (agent/protocol/work-pools.ts). */
export type ClaimedRun = z.infer<typeof claimedRunSchema>;

export type RunOutput = { level: LogLevel; message: string; taskRunId?: string | null; timestamp?: string };

function instantFrom(v: unknown): Instant | null {
  const at = v as { mono?: string; wall?: number } | undefined;
  if (!at?.mono || typeof at.wall !== "number") return null;
  try {
    return { mono: BigInt(at.mono), wall: at.wall };
  } catch {
    return null;
  }
}

/** `BATON_PARAM_<NAME>`: the name upper-cased, anything not a letter or digit made `_`; objects as JSON. */
export function parameterEnv(parameters: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = { BATON_PARAMETERS: JSON.stringify(parameters) };
  for (const [k, v] of Object.entries(parameters)) {
    env[`BATON_PARAM_${k.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return env;
}

/**
 * One run's process: the runner in its own process group, its output as log lines, its timeout,
 * cancellation (SIGTERM to the group, SIGKILL after the grace period), and its lease: the
 * deadline goes to the runner's watchdog on the lease pipe, and the agent stops the run itself
 * too when it passes. `done` resolves with the state to report (null: the run is no longer
 * this agent's to report on).
 */
export class RunProcess {
  private child: ChildProcess | null = null;
  private result: { ok: boolean; message?: string; timedOut?: boolean; at: Instant | null } | null = null;
  private stopReason: "cancel" | "timeout" | "lost" | "shutdown" | null = null;
  private lastStderr = "";
  private timeoutTimer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private leaseTimer: NodeJS.Timeout | null = null;
  private ended = false;
  readonly done: Promise<State | null>;
  private resolveDone!: (s: State | null) => void;

  constructor(
    readonly run: ClaimedRun,
    private readonly opts: { apiUrl: string; runnerPath: string; workdir: string; python: string; graceSeconds: number; onOutput: (o: RunOutput) => void; onLeaseLost: () => void; onSecret?: (value: string) => void },
    private lease: Instant,
  ) {
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  start() {
    const d = this.run.deployment;
    // None of the agent's own Baton configuration (BATON_API_KEY, BATON_HOME, BATON_PROFILE, …):
    // the run gets a token for itself, never the agent's key or the way to its profile. (Being the
    // same OS user, it can still read what that user can: see docs/cli.md, "What a run can reach".)
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith("BATON_")) delete env[k];
    Object.assign(env, this.run.env);
    Object.assign(env, parameterEnv(this.run.parameters), {
      BATON_API_URL: this.opts.apiUrl,
      BATON_RUN_ID: this.run.id,
      BATON_RUN_TOKEN: this.run.runToken,
      BATON_RUN_ATTEMPT: String(this.run.attempt),
      BATON_RUN_KIND: d?.kind ?? "flow",
      BATON_ENTRYPOINT: d?.entrypoint ?? "",
      BATON_COMMAND: d?.command ?? "",
      BATON_FLOW_NAME: this.run.flowName,
      // A Python flow's interpreter: the deployment's, else the agent's --python.
      BATON_PYTHON: d?.python ?? this.opts.python,
      BATON_LEASE_DEADLINE: toWire(this.lease),
    });
    const child = fork(this.opts.runnerPath, [], { cwd: this.opts.workdir, env, detached: true, stdio: ["ignore", "pipe", "pipe", "ipc", "pipe"], serialization: "json" });
    // A write to a runner that already exited fails with EPIPE: nothing left to tell it.
    (child.stdio[4] as NodeJS.WritableStream | null)?.on("error", () => undefined);
    this.child = child;
    readline.createInterface({ input: child.stdout! }).on("line", (line) => this.opts.onOutput({ level: "info", message: line }));
    const stderrLevels = new StderrLevels();
    readline.createInterface({ input: child.stderr! }).on("line", (line) => {
      if (line.trim()) this.lastStderr = line;
      this.opts.onOutput({ level: stderrLevels.levelOf(line), message: line });
    });
    child.on("message", (m: { t?: string } & Record<string, unknown>) => {
      if (m.t === "log") this.opts.onOutput({ level: m.level as LogLevel, message: String(m.message), taskRunId: (m.taskRunId as string | null) ?? null, timestamp: m.timestamp as string });
      if (m.t === "mask") this.opts.onSecret?.(String(m.value));
      if (m.t === "result") this.result = { ok: Boolean(m.ok), message: m.message as string | undefined, timedOut: Boolean(m.timedOut), at: instantFrom(m.at) };
    });
    child.on("error", (err) => this.opts.onOutput({ level: "error", message: `Could not start the run's process: ${err.message}` }));
    child.on("exit", (code, signal) => this.finish(code, signal));
    const timeout = d?.timeoutSeconds;
    if (timeout) this.timeoutTimer = setTimeout(() => this.stop("timeout"), timeout * 1000);
    this.armLeaseTimer();
  }

  /** A renewal got through (or an outage was proven): the run may go on until `deadline`. */
  renew(deadline: Instant) {
    if (deadline.mono <= this.lease.mono) return;
    this.lease = deadline;
    (this.child?.stdio[4] as NodeJS.WritableStream | null)?.write(`${toWire(deadline)}\n`);
    this.armLeaseTimer();
  }

  private armLeaseTimer() {
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    // An ended run stays held until its final report is through, and heartbeats still renew it;
    // there is nothing left to stop.
    if (this.ended) return;
    this.leaseTimer = setTimeout(() => {
      if (this.ended) return;
      if (!passed(this.lease)) return this.armLeaseTimer();
      this.opts.onLeaseLost();
      this.stop("lost");
    }, msUntil(this.lease) + 1);
    this.leaseTimer.unref();
  }

  /** Stops the run's process group: SIGTERM now, SIGKILL after the grace period. */
  stop(reason: "cancel" | "timeout" | "lost" | "shutdown") {
    if (!this.child || this.child.exitCode !== null || this.stopReason) return;
    this.stopReason = reason;
    this.signal("SIGTERM");
    this.killTimer = setTimeout(() => this.signal("SIGKILL"), this.opts.graceSeconds * 1000);
  }

  private signal(sig: NodeJS.Signals) {
    try {
      process.kill(-this.child!.pid!, sig);
    } catch {
      /* the group is gone */
    }
  }

  private finish(code: number | null, signal: NodeJS.Signals | null) {
    this.ended = true;
    if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
    if (this.killTimer) clearTimeout(this.killTimer);
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    // The work ended after its lease ran out (the runner's watchdog stopped it while the agent was
    // frozen, or it finished too late): Baton may already run it elsewhere, so this agent reports
    // nothing. Work that ended in time is reported, even if the agent reads its end late.
    if (passed(this.lease, this.result?.at ?? undefined)) this.stopReason ??= "lost";
    // Whatever the runner left behind in its group goes too.
    this.signal("SIGKILL");
    const timeout = this.run.deployment?.timeoutSeconds;
    const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
    let state: State | null;
    if (this.stopReason === "lost") state = null;
    else if (this.stopReason === "cancel") state = { type: "CANCELLED", message: "Cancelled: the process was stopped" };
    else if (this.stopReason === "timeout") state = { type: "FAILED", name: "TimedOut", message: `Timed out after ${timeout} s (the deployment's timeout); the process was stopped` };
    else if (this.stopReason === "shutdown") state = { type: "CRASHED", message: "The agent shut down and its grace period ran out; the process was stopped" };
    else if (code === 0 && (this.result?.ok ?? true)) state = { type: "COMPLETED" };
    else if (this.result?.timedOut) state = { type: "FAILED", name: "TimedOut", message: this.result.message ?? "Timed out" };
    else if (this.result && !this.result.ok) state = { type: "FAILED", message: (this.result.message ?? `The process ${how}`).slice(0, 4000) };
    else if (signal) state = { type: "CRASHED", message: `The process ${how}` };
    else state = { type: "FAILED", message: `The process ${how}${this.lastStderr ? `: ${this.lastStderr}` : ""}`.slice(0, 4000) };
    this.resolveDone(state);
  }
}
