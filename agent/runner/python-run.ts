/**
 * A Python flow run inside the runner: `<interpreter> -m baton.run file.py:function`, with the
 * Baton package shipped beside the runner first on PYTHONPATH (the agent needs no install step,
 * and the user's interpreter keeps its own packages: pandas, scikit-learn, …). The SDK sends its
 * log lines with their levels and its outcome as JSON lines on fd 3 (BATON_LOG_FD); stdout and
 * stderr stay the run's output as for a command. The interpreter is a child in the runner's
 * process group, so the lease watchdog, cancel and timeout stop it with everything else.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import readline from "node:readline";
import { missingInterpreterMessage, pythonEnv } from "./python-package";

export type PythonOutcome = { ok: boolean; message?: string; timedOut?: boolean };
/** What the SDK tells the agent, passed on as the TypeScript runner's IPC messages: log lines, and secret values read from code (masked in the logs). */
type ToAgent = { t: "log"; level: string; message: string; taskRunId?: string | null; timestamp?: string } | { t: "mask"; value: string };

export function runPython(entrypoint: string, interpreter: string, toAgent: (m: ToAgent) => void): Promise<{ code: number; result: PythonOutcome }> {
  return new Promise((resolve) => {
    let result: PythonOutcome | null = null;
    const child = spawn(interpreter, ["-m", "baton.run", entrypoint], {
      stdio: ["ignore", "inherit", "inherit", "pipe"],
      env: { ...pythonEnv(process.env), BATON_LOG_FD: "3" },
    });
    const channel = child.stdio[3] as NodeJS.ReadableStream | null;
    const lines = channel ? readline.createInterface({ input: channel }) : null;
    lines?.on("line", (line) => {
      let m: { t?: string } & Record<string, unknown>;
      try {
        m = JSON.parse(line);
      } catch {
        return; // not ours: the fd is the SDK's alone
      }
      if (m.t === "mask" && typeof m.value === "string") toAgent({ t: "mask", value: m.value });
      if (m.t === "log") toAgent({ t: "log", level: String(m.level), message: String(m.message), taskRunId: (m.taskRunId as string | null) ?? null, timestamp: m.timestamp as string | undefined });
      if (m.t === "result") result = { ok: Boolean(m.ok), message: typeof m.message === "string" ? m.message : undefined, timedOut: Boolean(m.timedOut) };
    });
    let startError: string | null = null;
    child.on("error", (err) => {
      startError = missingInterpreterMessage(interpreter, process.cwd(), err);
      console.error(startError);
    });
    // "close": the log channel is read to its end before the outcome is taken.
    child.on("close", (code, signal) => {
      const exit = code ?? (signal ? 128 + (constants.signals[signal] ?? 1) : 127);
      if (startError) return resolve({ code: 127, result: { ok: false, message: startError } });
      resolve({ code: exit, result: result ?? (exit === 0 ? { ok: true } : { ok: false, message: `The Python process exited with code ${exit}` }) });
    });
  });
}
