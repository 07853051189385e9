import fs from "node:fs";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../server/db/embedded-postgres";
import { runMigrations } from "../../server/db/migrate";
import { freePort } from "../helpers/free-port";

/**
 * The chaos run's own Postgres (embedded-postgres, its own port and data dir), which it can kill
 * hard (SIGKILL of the postmaster, as a power cut or OOM kill would) and start again on the same
 * data.
 */
export class PostgresControl {
  private db: EmbeddedDatabase | null = null;
  private port = 0;
  url = "";

  constructor(private readonly dataDir: string) {}

  async start() {
    this.port ||= await freePort();
    this.db = await startEmbeddedPostgres({ dataDir: this.dataDir, port: this.port, database: "chaos" });
    if (!this.url) await runMigrations(this.db.url);
    this.url = this.db.url;
  }

  /** SIGKILL of the postmaster; returns once it and its backends are gone (so a restart can take the data dir). */
  async kill() {
    const pid = this.postmasterPid();
    if (!pid) throw new Error("Postgres is not running (no postmaster.pid)");
    const backends = childrenOf(pid);
    process.kill(pid, "SIGKILL");
    this.db = null;
    const deadline = Date.now() + 15_000;
    while ([pid, ...backends].some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  async stop() {
    await this.db?.stop().catch(() => undefined);
    this.db = null;
  }

  private postmasterPid(): number {
    try {
      return Number(fs.readFileSync(path.join(this.dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    } catch {
      return 0;
    }
  }
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Alive and not a zombie (in a container nobody may reap the orphaned backends). */
export function alive(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
}
