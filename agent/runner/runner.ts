/**
 * The process the agent starts for each run (in its own process group, with an IPC channel).
 * A flow deployment: load the TypeScript entrypoint (no build step) and call the flow, which
 * reports to the run. A command deployment: run it through the shell. If the agent goes away,
 * the whole group is stopped: no run outlives its agent unseen.
 */
import { constants } from "node:os";
import { spawn } from "node:child_process";
import { loadFlow } from "../sdk/load-flow";
import { runtime } from "../sdk/runtime";
import { errorMessage } from "../sdk/task";
import { TimeoutError } from "../sdk/retry-policy";

type Result = { t: "result"; ok: boolean; message?: string; timedOut?: boolean };

function send(message: Result): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));
}

function stopGroup() {
  try {
    process.kill(-process.pid, "SIGTERM");
  } catch {
    /* already gone */
  }
  setTimeout(() => {
    try {
      process.kill(-process.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }, 5000).unref();
}

process.on("disconnect", stopGroup);

async function runFlow(entrypoint: string, parameters: Record<string, unknown>) {
  const target = await loadFlow(entrypoint, process.cwd());
  runtime.agentRun = { apiUrl: env("BATON_API_URL"), runId: env("BATON_RUN_ID"), token: env("BATON_RUN_TOKEN") };
  await target(parameters as never);
}

function runCommand(command: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", command], { stdio: ["ignore", "inherit", "inherit"] });
    // The agent signals the whole group; the runner just waits for the shell.
    process.on("SIGTERM", () => undefined);
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
  const parameters = JSON.parse(process.env.BATON_PARAMETERS || "{}") as Record<string, unknown>;
  if (process.env.BATON_RUN_KIND === "command") {
    const code = await runCommand(env("BATON_COMMAND"));
    await send(code === 0 ? { t: "result", ok: true } : { t: "result", ok: false, message: `The command exited with code ${code}` });
    process.exit(code);
  }
  try {
    await runFlow(env("BATON_ENTRYPOINT"), parameters);
    await send({ t: "result", ok: true });
    process.exit(0);
  } catch (err) {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    await send({ t: "result", ok: false, message: errorMessage(err), timedOut: err instanceof TimeoutError });
    process.exit(1);
  }
}

await main();
