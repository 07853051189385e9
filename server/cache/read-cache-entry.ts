import type pg from "pg";
import type { CacheEntry } from "../../agent/protocol/cache";
import { AppError } from "../errors";

/** The workspace's cache entry for a key; a missing or expired one is a 404 (a cache miss). */
export async function readCacheEntry(opts: { pool: pg.Pool; workspaceId: string; key: string }): Promise<CacheEntry> {
  const { rows } = await opts.pool.query<{ key: string; value: unknown; expires_at: Date | null }>(
    "select key, value, expires_at from cache_entries where workspace_id = $1 and key = $2 and (expires_at is null or expires_at > now())",
    [opts.workspaceId, opts.key],
  );
  const row = rows[0];
  if (!row) throw new AppError("NOT_FOUND", `No cache entry for key ${JSON.stringify(opts.key)} (or it expired).`);
  return { key: row.key, value: row.value, expiresAt: row.expires_at?.toISOString() ?? null };
}
