import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../server/db/embedded-postgres";
import { freePort } from "./helpers/free-port";
import { health, startApp, waitFor, waitHealthy, type AppProcess } from "./helpers/app-process";

const apps: AppProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const a of apps) if (a.child.exitCode === null) a.child.kill("SIGTERM");
  await Promise.all(apps.map((a) => Promise.race([a.exited, new Promise((r) => setTimeout(r, 10_000))])));
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baton-app-"));
  fs.chmodSync(dir, 0o755);
  dirs.push(dir);
  return dir;
}

async function query(url: string, sql: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

describe("the app as a process", () => {
  it("survives kill -9: the embedded Postgres comes back with the data intact", { timeout: 120_000 }, async () => {
    const dataDir = tempDir();
    const [port, pgPort] = [await freePort(), await freePort()];
    const env = { BATON_DATA_DIR: dataDir, BATON_PG_PORT: String(pgPort) };
    const first = startApp(env, port);
    apps.push(first);
    await waitHealthy(first);
    expect(await health(first.url)).toEqual({ status: 200, body: { ok: true, db: "up" } });
    const dbUrl = `postgres://baton:baton@127.0.0.1:${pgPort}/baton`;
    await query(dbUrl, "insert into workspaces (slug, name) values ('survivor', 'Survivor')");

    first.child.kill("SIGKILL");
    await first.exited;
    // The orphaned postmaster still holds the data dir; the next start must take it over.
    expect(fs.existsSync(path.join(dataDir, "pg", "postmaster.pid"))).toBe(true);

    const second = startApp(env, port);
    apps.push(second);
    await waitHealthy(second);
    expect(await query(dbUrl, "select name from workspaces where slug = 'survivor'")).toEqual([{ name: "Survivor" }]);

    // Postgres gone → 503 with Retry-After, quickly, not a hang.
    const pid = Number(fs.readFileSync(path.join(dataDir, "pg", "postmaster.pid"), "utf8").split("\n")[0]);
    process.kill(pid, "SIGKILL");
    const down = await waitFor(async () => {
      const res = await fetch(`${second.url}/api/health`, { signal: AbortSignal.timeout(5000) });
      return res.status === 503 ? res : undefined;
    }, { what: "health to report the database down" });
    expect(down.headers.get("retry-after")).toBe("5");
    expect(await down.json()).toEqual({ ok: false, db: "down" });
    second.child.kill("SIGKILL");
  });

  it("two instances starting at once on one empty database both come up, and recover when Postgres returns", { timeout: 120_000 }, async () => {
    const pgDir = tempDir();
    const pgPort = await freePort();
    let server = await startEmbeddedPostgres({ dataDir: path.join(pgDir, "data"), port: pgPort, database: "shared" });
    const env = { DATABASE_URL: server.url };
    const a = startApp(env, await freePort());
    const b = startApp(env, await freePort());
    apps.push(a, b);
    await Promise.all([waitHealthy(a), waitHealthy(b)]);
    const applied = await query(server.url, "select count(*)::int as n from drizzle.__drizzle_migrations");
    expect(applied[0].n).toBe(fs.readdirSync(path.resolve(import.meta.dirname, "../drizzle")).filter((f) => f.endsWith(".sql")).length);
    expect(a.output()).not.toContain("embedded Postgres");

    await server.stop();
    for (const app of [a, b]) await waitFor(async () => (await health(app.url)).status === 503, { what: "503 while Postgres is down" });
    server = await startEmbeddedPostgres({ dataDir: path.join(pgDir, "data"), port: pgPort, database: "shared" });
    for (const app of [a, b]) await waitFor(async () => (await health(app.url)).status === 200, { what: "200 after Postgres is back" });
    a.child.kill("SIGTERM");
    b.child.kill("SIGTERM");
    expect(await a.exited).toBe(0);
    await b.exited;
    await server.stop();
  });

  it("says why when the embedded Postgres cannot start", { timeout: 60_000 }, async () => {
    const pgPort = await freePort();
    const blocker = net.createServer().listen(pgPort, "127.0.0.1");
    try {
      const app = startApp({ BATON_DATA_DIR: tempDir(), BATON_PG_PORT: String(pgPort) }, await freePort());
      apps.push(app);
      expect(await app.exited).toBe(1);
      expect(app.output()).toMatch(/Embedded Postgres did not start/);
      expect(app.output()).toMatch(/Address already in use|could not bind|could not create/i);
      expect(app.output()).toContain("BATON_PG_PORT");
    } finally {
      blocker.close();
    }
  });

  it("refuses a bad environment variable by name", { timeout: 30_000 }, async () => {
    const app = startApp({ PORT: "not-a-port", DATABASE_URL: "mysql://nope" }, 1);
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain("DATABASE_URL: must start with postgres://");
  });
});
