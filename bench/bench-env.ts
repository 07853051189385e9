import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb, type Db } from "../server/db/client";
import { startEmbeddedPostgres } from "../server/db/embedded-postgres";
import { runMigrations } from "../server/db/migrate";
import { freePort } from "../tests/helpers/free-port";

/** A fresh embedded Postgres and the production server (dist/main.js) on it, in its own process. */
export async function startBenchEnvironment() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baton-bench-"));
  fs.chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port: await freePort(), database: "bench" });
  await runMigrations(pg.url);
  const port = await freePort();
  // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const server: ChildProcess = spawn(process.execPath, [...nodeArgs, "dist/main.js"], {
    env: { ...process.env, NODE_ENV: "production", DATABASE_URL: pg.url, PORT: String(port), BATON_SERVICES: "off", AUTH_SECRET: "bench-secret-bench-secret-bench-secret-42" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const db: Db = createDb(pg.url, 4);
  const postmasterPid = Number(fs.readFileSync(path.join(dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
  return {
    base,
    /** CPU seconds used so far by the server, this process, and Postgres (postmaster and backends); Linux only. */
    cpu: () => ({ server: cpuSeconds([server.pid!]), bench: cpuSeconds([process.pid]), postgres: cpuSeconds([postmasterPid, ...childrenOf(postmasterPid)]) }),
    db,
    url: pg.url,
    async stop() {
      server.kill("SIGTERM");
      await new Promise((r) => server.once("exit", r));
      await db.$client.end();
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const TICKS = 100; // USER_HZ
function cpuSeconds(pids: number[]) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime + stime
    } catch {
      /* gone, or not Linux */
    }
  }
  return ticks / TICKS;
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
