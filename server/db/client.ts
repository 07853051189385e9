import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import { env } from "../env";
import * as schema from "./schema";

export type Db = NodePgDatabase<typeof schema> & { $client: pg.Pool };
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Anything that can run a query: the pool-backed db or an open transaction. */
export type Queryable = Db | Tx;

export function createPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 3000, idleTimeoutMillis: 30_000 });
  // Without a listener an idle client's error (Postgres restarted) would crash the process.
  pool.on("error", (err) => console.error("[db] idle client error:", err.message));
  return pool;
}

export function createDb(url: string, max = 10): Db {
  return drizzle({ client: createPool(url, max), schema, casing: "snake_case" }) as Db;
}

const globalForDb = globalThis as unknown as { __batonDb?: Db };

/** The process-wide database, created on first use from DATABASE_URL. */
export function getDb(): Db {
  if (!globalForDb.__batonDb) {
    const { DATABASE_URL, DATABASE_POOL_MAX } = env();
    if (!DATABASE_URL) throw new Error("DATABASE_URL is not set: start Baton with `npm start`, which provides one.");
    globalForDb.__batonDb = createDb(DATABASE_URL, DATABASE_POOL_MAX);
  }
  return globalForDb.__batonDb;
}
