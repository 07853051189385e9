import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect } from "vitest";
import type { Db } from "../../server/db/client";
import { startApp, waitHealthy, type AppProcess } from "./app-process";
import { createTestDatabase } from "./db";
import { createWorkspaceWithMembers } from "./fixtures";
import { freePort } from "./free-port";

const ROOT = path.resolve(import.meta.dirname, "../..");
export const BATON_BIN = path.join(ROOT, "agent/bin/baton.js");
export const FLOWS_DIR = path.join(ROOT, "tests/fixtures/flows");

export type CliResult = { code: number | null; stdout: string; stderr: string };

/**
 * A real app process (dist/main.js, services on) on this test file's own database, and a workspace
 * with an owner key, for driving the real `baton` CLI and agent as child processes.
 */
export async function startCliEnvironment(opts: { appEnv?: Record<string, string> } = {}) {
  const { db, url: databaseUrl } = await createTestDatabase();
  const port = await freePort();
  const appEnv = { DATABASE_URL: databaseUrl, BATON_SERVICES: "on", BATON_PUBLIC_URL: `http://localhost:${port}`, ...opts.appEnv };
  let app = startApp(appEnv, port);
  await waitHealthy(app);
  const children = new Set<ChildProcess>();
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    app.child.kill("SIGTERM");
    await app.exited;
  });
  const w = await createWorkspaceWithMembers(db, ["runner"]);
  const key = (await w.owner.caller.apiKeys.create({ workspace: w.ws.slug, name: "cli-test", role: "owner" })).key;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "baton-home-"));
  const apiUrl = `http://localhost:${port}`;

  const env = (extra: Record<string, string> = {}) => {
    const e: Record<string, string | undefined> = { ...process.env, BATON_HOME: home, BATON_API_URL: apiUrl, BATON_API_KEY: key, ...extra };
    delete e.NODE_OPTIONS;
    for (const k of Object.keys(extra)) if (extra[k] === "") delete e[k];
    return e as NodeJS.ProcessEnv;
  };

  /** Runs `baton …` to its end. */
  function cli(args: string[], opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number; input?: string } = {}): Promise<CliResult> {
    return runBaton(args, { env: env(opts.env), cwd: opts.cwd, timeoutMs: opts.timeoutMs, input: opts.input, children });
  }

  /** Starts `baton agent start …` in the background; its output is kept. */
  function startAgent(args: string[] = [], opts: { env?: Record<string, string>; cwd?: string } = {}) {
    const child = spawn(process.execPath, [BATON_BIN, "agent", "start", "--workdir", FLOWS_DIR, ...args], {
      cwd: opts.cwd ?? FLOWS_DIR,
      env: env(opts.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    return { child, output: () => out, exited };
  }

  /** `baton deploy --command …` of a command deployment; the deployment it created or updated. */
  async function deployCommand(name: string, command: string, pool = "default") {
    const res = await cli(["deploy", "--command", command, "--name", name, "--pool", pool, "--json"]);
    expect(res.stderr).toBe("");
    return JSON.parse(res.stdout)[0].deployment as { id: string; flowId: string };
  }

  /** /api/v1 with the owner key; the JSON answer. */
  async function api(method: string, path: string, body?: unknown) {
    const res = await fetch(`${apiUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res.json();
  }

  return {
    api,
    db: db as Db,
    databaseUrl,
    get app(): AppProcess {
      return app;
    },
    /** Stops the app process (the API becomes unreachable) … */
    async stopApp() {
      app.child.kill("SIGTERM");
      await app.exited;
    },
    /** Kills the app process at once (SIGKILL), as a crash would. */
    async crashApp() {
      app.child.kill("SIGKILL");
      await app.exited;
    },
    /** … and starts it again on the same port and database. */
    async restartApp() {
      app = startApp(appEnv, port);
      await waitHealthy(app);
    },
    apiUrl,
    key,
    home,
    workspace: w,
    cli,
    deployCommand,
    startAgent,
  };
}

/**
 * Runs the real `baton` CLI (the built bundle) to its end with exactly `env`; killed after
 * `timeoutMs`. Tests with their own API server (startApiServer) point BATON_API_URL at it.
 */
export function runBaton(args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string; children?: Set<ChildProcess> }): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BATON_BIN, ...args], { cwd: opts.cwd ?? FLOWS_DIR, env: opts.env, stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    // `input` is the command's stdin (as a pipe: `printf %s "$TOKEN" | baton secret set …`).
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    opts.children?.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      opts.children?.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The run id that `baton run` printed: "Run <name> (<id>) of …". */
export const runIdOf = (stdout: string) => /\(([0-9a-f-]{36})\)/.exec(stdout)?.[1] ?? "";

/** Whether a process id is alive: it exists and is not a zombie (dead, waiting for a parent that may be frozen to reap it). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; the command name may itself contain ") ".
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}
