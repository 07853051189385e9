import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** The Python SDK's package folder: on PYTHONPATH, `import baton` works with no install. */
export const PYTHON_SDK = path.join(ROOT, "agent/python");
export const PY_FIXTURES = path.join(ROOT, "tests/fixtures/python");
export const PYTHON = process.env.BATON_TEST_PYTHON || "python3";

export type PyResult = { code: number | null; stdout: string; stderr: string };

/** An environment for a Python process: the SDK importable, no Baton connection unless `extra` gives one ("" removes a variable). */
export function pythonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: PYTHON_SDK, PYTHONUNBUFFERED: "1", BATON_HOME: fs.mkdtempSync(path.join(os.tmpdir(), "baton-py-home-")) };
  for (const k of Object.keys(e)) if (k.startsWith("BATON_") && k !== "BATON_HOME") delete e[k];
  for (const [k, v] of Object.entries(extra)) {
    if (v === "") delete e[k];
    else e[k] = v;
  }
  return e;
}

/** Starts `python3 args…`; its output is kept. */
export function startPython(args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; stdio?: ("pipe" | "ignore")[] }) {
  const child: ChildProcess = spawn(PYTHON, args, { cwd: opts.cwd ?? PY_FIXTURES, env: opts.env, stdio: opts.stdio ?? ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr?.on("data", (d) => (stderr += d));
  const done = new Promise<PyResult>((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

/** Runs `python3 args…` to its end (killed after `timeoutMs`). */
export async function runPython(args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): Promise<PyResult> {
  const p = startPython(args, opts);
  const timer = setTimeout(() => p.child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
  try {
    return await p.done;
  } finally {
    clearTimeout(timer);
  }
}
