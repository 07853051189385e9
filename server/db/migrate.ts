import { fileURLToPath } from "node:url";
import path from "node:path";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

/** Arbitrary but fixed: every Baton instance takes this advisory lock around migrating. */
const MIGRATION_LOCK = 727_001;

export function migrationsFolder(): string {
  // Bundled (dist/) and source (server/db/) both sit two levels below the repo root's drizzle/.
  const here = path.dirname(fileURLToPath(import.meta.url));
  const fromSource = path.resolve(here, "../../drizzle");
  const fromDist = path.resolve(here, "../drizzle");
  return here.includes(`${path.sep}dist`) ? fromDist : fromSource;
}

/**
 * Applies committed migrations. Holding a session advisory lock makes concurrent starts of
 * several instances safe: the second waits, then finds nothing left to apply.
 */
export async function runMigrations(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await migrate(drizzle({ client }), { migrationsFolder: migrationsFolder() });
  } finally {
    await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
