import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../db/embedded-postgres";
import { runMigrations } from "../db/migrate";
import type { Env } from "../env";

/**
 * Gets Baton a migrated database: the one DATABASE_URL names, or an embedded Postgres with its
 * data in BATON_DATA_DIR. Fills DATABASE_URL and AUTH_SECRET in process.env for the rest of the app.
 */
export async function prepareDatabase(e: Env): Promise<{ url: string; embedded: EmbeddedDatabase | null }> {
  let embedded: EmbeddedDatabase | null = null;
  let url = e.DATABASE_URL;
  if (!url) {
    const dataDir = path.resolve(e.BATON_DATA_DIR, "pg");
    console.log(`[baton] starting embedded Postgres (data in ${dataDir}, port ${e.BATON_PG_PORT})`);
    embedded = await startEmbeddedPostgres({ dataDir, port: e.BATON_PG_PORT });
    url = embedded.url;
    process.env.DATABASE_URL = url;
  }
  await runMigrations(url);
  if (!e.AUTH_SECRET) process.env.AUTH_SECRET = await sharedAuthSecret(url);
  return { url, embedded };
}

/** A generated session-signing secret kept in the database, so every instance on it agrees. */
async function sharedAuthSecret(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => undefined);
  await client.connect();
  try {
    await client.query(
      "insert into instance_settings (key, value) values ('auth_secret', $1) on conflict (key) do nothing",
      [randomBytes(33).toString("base64")],
    );
    const { rows } = await client.query("select value from instance_settings where key = 'auth_secret'");
    return rows[0].value as string;
  } finally {
    await client.end();
  }
}
