import { sql } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { rateLimitBuckets } from "../db/schema";

export type RateLimitResult = { allowed: boolean; retryAfterSeconds: number };

/**
 * Counts one hit against `key` in a fixed window kept in Postgres, so the limit holds across app
 * instances. One round trip: upsert-and-increment returning the new count.
 */
export async function hitRateLimit(
  db: Queryable,
  key: string,
  { limit, windowSeconds }: { limit: number; windowSeconds: number },
): Promise<RateLimitResult> {
  const windowMs = windowSeconds * 1000;
  const now = Date.now();
  const windowStart = new Date(Math.floor(now / windowMs) * windowMs);
  const [row] = await db
    .insert(rateLimitBuckets)
    .values({ key, windowStart, count: 1 })
    .onConflictDoUpdate({
      target: [rateLimitBuckets.key, rateLimitBuckets.windowStart],
      set: { count: sql`${rateLimitBuckets.count} + 1` },
    })
    .returning({ count: rateLimitBuckets.count });
  const retryAfterSeconds = Math.ceil((windowStart.getTime() + windowMs - now) / 1000);
  return { allowed: row.count <= limit, retryAfterSeconds };
}

/** Takes back a hit counted by `hitRateLimit` in the current window (an attempt that turned out fine). */
export async function refundRateLimit(db: Queryable, key: string, { windowSeconds }: { windowSeconds: number }): Promise<void> {
  const windowMs = windowSeconds * 1000;
  const windowStart = new Date(Math.floor(Date.now() / windowMs) * windowMs);
  await db
    .update(rateLimitBuckets)
    .set({ count: sql`greatest(${rateLimitBuckets.count} - 1, 0)` })
    .where(sql`${rateLimitBuckets.key} = ${key} and ${rateLimitBuckets.windowStart} = ${windowStart}`);
}

/** Current count without counting a hit (to refuse before doing expensive work). */
export async function isRateLimited(db: Queryable, key: string, { limit, windowSeconds }: { limit: number; windowSeconds: number }) {
  const windowMs = windowSeconds * 1000;
  const now = Date.now();
  const windowStart = new Date(Math.floor(now / windowMs) * windowMs);
  const rows = await db
    .select({ count: rateLimitBuckets.count })
    .from(rateLimitBuckets)
    .where(sql`${rateLimitBuckets.key} = ${key} and ${rateLimitBuckets.windowStart} = ${windowStart}`);
  const count = rows[0]?.count ?? 0;
  return { limited: count >= limit, retryAfterSeconds: Math.ceil((windowStart.getTime() + windowMs - now) / 1000) };
}

export async function deleteExpiredRateLimitBuckets(db: Queryable): Promise<void> {
  await db.delete(rateLimitBuckets).where(sql`${rateLimitBuckets.windowStart} < now() - interval '1 day'`);
}

export function minutesText(seconds: number): string {
  const m = Math.max(1, Math.ceil(seconds / 60));
  return m === 1 ? "1 minute" : `${m} minutes`;
}
