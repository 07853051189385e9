import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "../server/db/client";
import { embeddedPostgresUrl, startEmbeddedPostgres } from "../server/db/embedded-postgres";
import { SERVICE_LOCKS } from "../server/services/background-services";
import { createWorkspaceWithMembers } from "./helpers/fixtures";
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
    const dbUrl = embeddedPostgresUrl(path.join(dataDir, "pg"), pgPort, "baton");
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

  it("two instances: each service loop runs on one of them; the other takes over within 10 s; a long poll on one wakes for a run created on the other", { timeout: 120_000 }, async () => {
    const pgDir = tempDir();
    const server = await startEmbeddedPostgres({ dataDir: path.join(pgDir, "data"), port: await freePort(), database: "pair" });
    const env = { DATABASE_URL: server.url, BATON_SERVICES: "on" };
    const a = startApp(env, await freePort());
    const b = startApp(env, await freePort());
    apps.push(a, b);
    await Promise.all([waitHealthy(a), waitHealthy(b)]);
    const pids = new Set([`baton-services:${a.child.pid}`, `baton-services:${b.child.pid}`]);
    // Every loop but the mailer, which runs only with RESEND_API_KEY.
    const expectedLoops = Object.entries(SERVICE_LOCKS).filter(([name]) => name !== "mailer").map(([, key]) => key);
    const leaders = async () =>
      (await query(
        server.url,
        `select l.objid::int as key, a.application_name as holder from pg_locks l join pg_stat_activity a on a.pid = l.pid
          where l.locktype = 'advisory' and l.granted and l.objid = any($1::int[])`,
        [expectedLoops],
      )) as { key: number; holder: string }[];
    const all = await waitFor(async () => {
      const held = await leaders();
      return held.length === expectedLoops.length ? held : undefined;
    }, { what: "every service loop to have a leader", timeoutMs: 20_000 });
    for (const l of all) expect(pids.has(l.holder)).toBe(true);
    expect(new Set(all.map((l) => l.key)).size).toBe(all.length);

    // A long poll on instance A is woken by a run created through instance B.
    const db = createDb(server.url, 2);
    const { ws, owner } = await createWorkspaceWithMembers(db);
    const { key } = await owner.caller.apiKeys.create({ workspace: ws.slug, name: "k", role: "owner" });
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const agent = await (await fetch(`${a.url}/api/v1/agents`, { method: "POST", headers, body: JSON.stringify({ name: "pair" }) })).json();
    const deployment = await (await fetch(`${b.url}/api/v1/deployments`, { method: "PUT", headers, body: JSON.stringify({ flowName: "f", name: "d", kind: "command", command: "true" }) })).json();
    const started = Date.now();
    const waiting = fetch(`${a.url}/api/v1/work-pools/default/claim`, { method: "POST", headers, body: JSON.stringify({ agentId: agent.id, slots: 1, waitSeconds: 20 }) }).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 500));
    const created = await (await fetch(`${b.url}/api/v1/deployments/${deployment.deployment.id}/runs`, { method: "POST", headers, body: "{}" })).json();
    const claimed = await waiting;
    expect(claimed.runs.map((r: { id: string }) => r.id)).toEqual([created.run.id]);
    expect(Date.now() - started).toBeLessThan(5_000);

    // A key revoked elsewhere stops working on both instances at once, though they cache keys.
    const { key: doomed, apiKey } = await owner.caller.apiKeys.create({ workspace: ws.slug, name: "doomed", role: "viewer" });
    for (const app of [a, b]) expect((await fetch(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${doomed}` } })).status).toBe(200);
    await owner.caller.apiKeys.revoke({ workspace: ws.slug, keyId: apiKey.id });
    for (const app of [a, b]) {
      await waitFor(async () => (await fetch(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${doomed}` } })).status === 401, { what: "revocation to reach the instance", timeoutMs: 2_000 });
    }
    await db.$client.end();

    // Kill the leader of one loop: the other instance leads it within 10 s.
    const victim = all[0].holder === `baton-services:${a.child.pid}` ? a : b;
    const survivor = victim === a ? b : a;
    victim.child.kill("SIGKILL");
    await victim.exited;
    const killedAt = Date.now();
    await waitFor(async () => {
      const held = await leaders();
      return held.length === expectedLoops.length && held.every((l) => l.holder === `baton-services:${survivor.child.pid}`);
    }, { what: "the survivor to lead every loop", timeoutMs: 15_000 });
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    survivor.child.kill("SIGTERM");
    await survivor.exited;
    await server.stop();
  });

  it("`npm run services` runs the background loops alone, next to web instances that have them off", { timeout: 60_000 }, async () => {
    const pgDir = tempDir();
    const server = await startEmbeddedPostgres({ dataDir: path.join(pgDir, "data"), port: await freePort(), database: "solo" });
    const web = startApp({ DATABASE_URL: server.url, BATON_SERVICES: "off" }, await freePort());
    apps.push(web);
    await waitHealthy(web);
    const { spawn } = await import("node:child_process");
    const services = spawn(process.execPath, ["dist/services.js"], {
      cwd: path.resolve(import.meta.dirname, ".."),
      env: { ...process.env, NODE_ENV: "production", DATABASE_URL: server.url },
      stdio: "ignore",
    });
    try {
      const holders = await waitFor(async () => {
        const rows = (await query(
          server.url,
          "select distinct a.application_name as holder from pg_locks l join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' and l.granted and l.objid = any($1::int[])",
          [Object.values(SERVICE_LOCKS)],
        )) as { holder: string }[];
        return rows.length > 0 && rows.length === new Set(rows.map((r) => r.holder)).size ? rows : undefined;
      }, { what: "the services process to lead the loops", timeoutMs: 20_000 });
      expect(holders.map((h) => h.holder)).toEqual([`baton-services:${services.pid}`]);
    } finally {
      services.kill("SIGTERM");
      await new Promise((r) => services.once("exit", r));
      web.child.kill("SIGTERM");
      await web.exited;
      await server.stop();
    }
  });
});
