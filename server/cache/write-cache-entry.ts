import type pg from "pg";
import type { CacheEntry } from "../../agent/protocol/cache";
import { hasPgCode } from "../db/pg-errors";
import { AppError } from "../errors";

/** Sets the workspace's cache entry for a key (insert or replace), with an optional expiry. */
export async function writeCacheEntry(opts: { pool: pg.Pool; workspaceId: string; key: string; value: unknown; expiresAt: string | null }): Promise<CacheEntry> {
  try {
    const { rows } = await opts.pool.query<{ key: string; value: unknown; expires_at: Date | null }>(
      `insert into cache_entries (workspace_id, key, value, expires_at) values ($1, $2, $3::jsonb, $4)
       on conflict (workspace_id, key) do update set value = excluded.value, expires_at = excluded.expires_at, created_at = now()
       returning key, value, expires_at`,
      [opts.workspaceId, opts.key, JSON.stringify(opts.value), opts.expiresAt],
    );
    const row = rows[0];
    return { key: row.key, value: row.value, expiresAt: row.expires_at?.toISOString() ?? null };
  } catch (err) {
    if (hasPgCode(err, "22P05")) throw new AppError("BAD_REQUEST", "Cached values cannot contain the NUL character (\\u0000).");
    throw err;
  }
}
