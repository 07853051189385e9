import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { TcpProxy } from "../helpers/tcp-proxy";

// The same CLI as tests/helpers/cli.ts's BATON_BIN, named here because that module pulls in vitest
// and the tRPC fixtures, which `npm run chaos` (tsx, outside vitest) cannot load.
const BATON_BIN = path.resolve(import.meta.dirname, "../../agent/bin/baton.js");

/**
 * One real `baton agent start` process talking to the server through its own cuttable proxy.
 * `CHAOS_AGENT` (its name) and `CHAOS_DIR` reach the runs' commands through the agent's
 * environment, so the journal says which agent ran which attempt.
 */
export class ChaosAgent {
  private child: ChildProcess | null = null;
  readonly proxy: TcpProxy;
  /** Set while SIGSTOPped, so teardown can SIGCONT it first. */
  frozen = false;

  constructor(
    readonly name: string,
    private readonly opts: { serverPort: number; key: string; chaosDir: string; slots: number },
  ) {
    this.proxy = new TcpProxy(opts.serverPort);
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  async start() {
    if (!this.proxy.port) await this.proxy.start();
    const home = path.join(this.opts.chaosDir, "homes", this.name);
    fs.mkdirSync(home, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BATON_HOME: home,
      BATON_API_URL: `http://127.0.0.1:${this.proxy.port}`,
      BATON_API_KEY: this.opts.key,
      CHAOS_DIR: this.opts.chaosDir,
      CHAOS_AGENT: this.name,
    };
    delete env.NODE_OPTIONS;
    const log = fs.openSync(path.join(this.opts.chaosDir, `agent-${this.name}.log`), "a");
    const args = ["agent", "start", "--name", this.name, "--limit", String(this.opts.slots), "--grace", "5", "--workdir", path.join(this.opts.chaosDir, "work")];
    this.child = spawn(process.execPath, [BATON_BIN, ...args], { env, stdio: ["ignore", log, log] });
    fs.closeSync(log);
  }

  async kill() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  }

  freeze() {
    process.kill(this.pid, "SIGSTOP");
    this.frozen = true;
  }

  thaw() {
    process.kill(this.pid, "SIGCONT");
    this.frozen = false;
  }

  async stop() {
    if (this.frozen) this.thaw();
    await this.kill();
    await this.proxy.stop();
  }
}
