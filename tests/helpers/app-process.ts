import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll } from "vitest";
import { freePort } from "./free-port";

const ROOT = path.resolve(import.meta.dirname, "../..");

export type AppProcess = { child: ChildProcess; port: number; url: string; output: () => string; exited: Promise<number | null> };

/** Starts the production server (dist/main.js, built by `npm run build`) as a real child process. */
export function startApp(env: Record<string, string>, port: number): AppProcess {
  if (!fs.existsSync(path.join(ROOT, "dist/main.js"))) throw new Error("dist/main.js is missing: run `npm run build` first (npm test does).");
  let out = "";
  const child = spawn(process.execPath, ["dist/main.js"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", PORT: String(port), BATON_SERVICES: "off", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, port, url: `http://127.0.0.1:${port}`, output: () => out, exited };
}

/**
 * The built app for one test file: on a free port, with `BATON_PUBLIC_URL` at localhost (the
 * address browsers and Auth.js cookies use, as `base`), healthy before it returns, stopped after
 * the file.
 */
export async function startAppForFile(env: Record<string, string>): Promise<AppProcess & { base: string }> {
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const app = startApp({ BATON_PUBLIC_URL: base, ...env }, port);
  afterAll(async () => {
    app.child.kill("SIGTERM");
    await app.exited;
  });
  await waitHealthy(app);
  return { ...app, base };
}

/** Polls until `check` passes or the deadline ends; returns its last value. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, { timeoutMs = 60_000, what = "condition" } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ""}`);
}

export async function health(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.json() };
}

export async function waitHealthy(app: AppProcess) {
  return waitFor(
    async () => {
      if (app.child.exitCode !== null) throw new Error(`app exited with ${app.child.exitCode}:\n${app.output()}`);
      return (await health(app.url)).status === 200;
    },
    { what: `app on port ${app.port} to be healthy` },
  ).catch((err) => {
    throw new Error(`${(err as Error).message}\n--- app output ---\n${app.output()}`);
  });
}
