import { spawn, type ChildProcess } from "node:child_process";
import readline from "node:readline";

export type BoundedOptions = {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL of the process group. */
  graceMs: number;
  signal?: AbortSignal;
  /** "pipe": the caller feeds or reads the stream itself through `child`. */
  stdin?: "ignore" | "pipe";
  stdout?: "lines" | "collect" | "pipe";
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
};

export type BoundedResult = {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  stdout: string;
  /** The last stderr lines (bounded), for error messages. */
  stderr: string[];
};

const STDERR_LINES_KEPT = 20;

/**
 * A child in its own process group, so a timeout or an abort kills everything it started (git
 * spawns remote helpers and ssh; a setup step spawns pip or npm): SIGTERM to the group, SIGKILL
 * `graceMs` later. Resolves when the child has exited, never rejects (a spawn error is exit 127).
 */
export function spawnBounded(cmd: string, args: string[], opts: BoundedOptions): { child: ChildProcess; done: Promise<BoundedResult> } {
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    stdio: [opts.stdin ?? "ignore", "pipe", "pipe"],
  });
  const result: BoundedResult = { code: null, signal: null, timedOut: false, aborted: false, stdout: "", stderr: [] };
  let killTimer: NodeJS.Timeout | undefined;
  const killGroup = (sig: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // The group is already gone.
    }
  };
  const stop = () => {
    killGroup("SIGTERM");
    // Kept after the leader exits: members of the group that ignored SIGTERM still get SIGKILL.
    killTimer ??= setTimeout(() => killGroup("SIGKILL"), opts.graceMs);
    killTimer.unref();
  };
  const timer = setTimeout(() => {
    result.timedOut = true;
    stop();
  }, opts.timeoutMs);
  const onAbort = () => {
    result.aborted = true;
    stop();
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener("abort", onAbort, { once: true });

  const streamsDone: Promise<void>[] = [];
  const readLines = (stream: NodeJS.ReadableStream, name: "stdout" | "stderr") => {
    const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
    rl.on("line", (line) => {
      if (name === "stderr") {
        result.stderr.push(line);
        if (result.stderr.length > STDERR_LINES_KEPT) result.stderr.shift();
      }
      opts.onLine?.(name, line);
    });
    streamsDone.push(new Promise((r) => rl.once("close", () => r())));
  };
  const stdoutMode = opts.stdout ?? "lines";
  if (stdoutMode === "collect") {
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => (result.stdout += d));
    streamsDone.push(new Promise((r) => child.stdout!.once("close", () => r())));
  } else if (stdoutMode === "lines") readLines(child.stdout!, "stdout");
  readLines(child.stderr!, "stderr");

  const done = new Promise<BoundedResult>((resolve) => {
    let settled = false;
    const finish = async (code: number | null, sig: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      result.code = code;
      result.signal = sig;
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      // A grandchild that outlived the group kill (setsid) may hold the pipes open: don't wait forever for them.
      await Promise.race([Promise.all(streamsDone), new Promise((r) => setTimeout(r, 1_000).unref())]);
      resolve(result);
    };
    child.once("error", (err) => {
      result.stderr.push(String(err.message));
      void finish(127, null);
    });
    child.once("exit", (code, sig) => void finish(code, sig));
  });
  return { child, done };
}
