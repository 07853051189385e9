/**
 * The process the agent starts for each run (in its own process group, with an IPC channel and
 * a lease pipe on fd 4). A TypeScript flow deployment: load the entrypoint (no build step) and
 * call the flow, which reports to the run. A Python flow (`file.py:function`): run the
 * deployment's interpreter on `-m baton.run` with the package shipped beside this file (python-run.ts).
 * A command deployment: run it through the shell.
 *
 * Stopping: a lease watchdog thread stops the whole group when the run's lease was not renewed in
 * time or the agent went away (lease-watchdog.ts). Once told to stop (SIGTERM, from the agent or
 * the watchdog), the runner ends only by SIGKILL of its whole group: as soon as its work has
 * stopped, or a kill grace later. So nothing of the run outlives the grace, even with the agent
 * frozen and unable to clean up after it.
 */
import { constants } from "node:os";
import { spawn } from "node:child_process";
import { Worker } from "node:worker_threads";
import { loadFlow } from "../sdk/load-flow";
import { runtime } from "../sdk/runtime";
import { errorMessage } from "../sdk/task";
import { TimeoutError } from "../sdk/retry-policy";
import { KILL_GRACE_SECONDS } from "../protocol/leases";
import { watchLease } from "./lease-watchdog";
import { runPython } from "./python-run";
import { isPythonEntrypoint } from "../protocol/deployments";

type Result = { t: "result"; ok: boolean; message?: string; timedOut?: boolean };

/** Sends the outcome with the moment the work ended, so an agent that reads it late (it was frozen) knows whether that was within the lease. */
function send(message: Result): Promise<void> {
  const at = { mono: process.hrtime.bigint().toString(), wall: Date.now() };
  return new Promise((resolve) => (process.send ? process.send({ ...message, at }, () => resolve()) : resolve()));
}

function killGroup() {
  try {
    process.kill(-process.pid, "SIGKILL");
  } catch {
    /* already gone */
  }
}

let stopping = false;
process.on("SIGTERM", () => {
  if (stopping) return;
  stopping = true;
  setTimeout(killGroup, KILL_GRACE_SECONDS * 1000);
});

/** The work has ended: exit with its code, unless a stop is under way, which ends the whole group now. */
function finish(code: number): never {
  if (stopping) killGroup();
  process.exit(code);
}

/** On this thread for a command or a Python flow (the main thread only waits for a child), on its own thread for a TypeScript flow (whose code runs on this one). */
function startLeaseWatchdog(inPlace: boolean) {
  const initial = process.env.BATON_LEASE_DEADLINE ?? null;
  delete process.env.BATON_LEASE_DEADLINE;
  if (inPlace) return watchLease(initial);
  const worker = new Worker(new URL("./lease-watchdog.js", import.meta.url), { workerData: { initial } });
  worker.unref();
}

async function runFlow(entrypoint: string, parameters: Record<string, unknown>) {
  const target = await loadFlow(entrypoint, process.cwd());
  runtime.agentRun = { apiUrl: env("BATON_API_URL"), runId: env("BATON_RUN_ID"), token: env("BATON_RUN_TOKEN") };
  await target(parameters as never);
}

function runCommand(command: string): Promise<number> {
  return new Promise((resolve) => {
    // The agent signals the whole group; the runner waits for the shell (see the SIGTERM handler).
    const child = spawn("/bin/sh", ["-c", command], { stdio: ["ignore", "inherit", "inherit"] });
    child.on("exit", (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 1) : 1)));
    child.on("error", (err) => {
      console.error(`Could not start the command: ${err.message}`);
      resolve(127);
    });
  });
}

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: the runner is started by \`baton agent start\`.`);
  return v;
}

async function main() {
  const kind = process.env.BATON_RUN_KIND;
  const python = kind !== "command" && isPythonEntrypoint(process.env.BATON_ENTRYPOINT);
  startLeaseWatchdog(kind === "command" || python);
  if (kind === "command") {
    const code = await runCommand(env("BATON_COMMAND"));
    await send(code === 0 ? { t: "result", ok: true } : { t: "result", ok: false, message: `The command exited with code ${code}` });
    finish(code);
  }
  if (python) {
    const { code, result } = await runPython(env("BATON_ENTRYPOINT"), process.env.BATON_PYTHON || "python3", (log) => process.send?.(log));
    await send({ t: "result", ...result });
    finish(code);
  }
  const parameters = JSON.parse(process.env.BATON_PARAMETERS || "{}") as Record<string, unknown>;
  try {
    await runFlow(env("BATON_ENTRYPOINT"), parameters);
    await send({ t: "result", ok: true });
    finish(0);
  } catch (err) {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    await send({ t: "result", ok: false, message: errorMessage(err), timedOut: err instanceof TimeoutError });
    finish(1);
  }
}

await main();
