import { type ChildProcess } from "node:child_process";
import { startApp, type AppProcess } from "../helpers/app-process";
import { freePort } from "../helpers/free-port";

/**
 * The built app (dist/main.js) with its background services on (the lease reaper and the
 * scheduler are what the chaos run tests), killed with SIGKILL and started again on the same port.
 */
export class AppControl {
  private app: AppProcess | null = null;
  port = 0;
  /** Everything every app process printed, for the report when something fails. */
  private output = "";

  constructor(private readonly env: Record<string, string>) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  get child(): ChildProcess | null {
    return this.app?.child ?? null;
  }

  /** Starts it; resolves with the milliseconds from spawn to the first 200 of /api/health. */
  async start(): Promise<number> {
    this.port ||= await freePort();
    const started = Date.now();
    const app = startApp({ BATON_SERVICES: "on", BATON_PUBLIC_URL: `http://localhost:${this.port}`, ...this.env }, this.port);
    this.app = app;
    app.child.on("exit", () => (this.output += app.output()));
    await untilOk(`${this.url}/api/health`, 60_000, () => app.child.exitCode !== null && `the app exited with ${app.child.exitCode}:\n${app.output()}`);
    return Date.now() - started;
  }

  async kill() {
    const app = this.app;
    if (!app || app.child.exitCode !== null) return;
    app.child.kill("SIGKILL");
    await app.exited;
    this.app = null;
  }

  async stop() {
    const app = this.app;
    if (!app || app.child.exitCode !== null) return;
    app.child.kill("SIGTERM");
    await Promise.race([app.exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (app.child.exitCode === null) app.child.kill("SIGKILL");
  }

  log(): string {
    return this.output + (this.app && this.app.child.exitCode === null && !this.app.child.signalCode ? this.app.output() : "");
  }
}

/**
 * Polls `url` every 50 ms until it answers 200; throws after `timeoutMs` or when `gaveUp` says why.
 * Used for recovery times, so it polls faster than waitFor.
 */
export async function untilOk(url: string, timeoutMs: number, gaveUp: () => string | false = () => false, headers: Record<string, string> = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const why = gaveUp();
    if (why) throw new Error(why);
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}
