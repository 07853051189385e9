import type { StateType } from "../../agent/protocol/states";
import type { Db } from "../db/client";

export type HourCount = { hour: Date; state_type: StateType; n: number };

/** After this, a load still gets the cached counts but starts a recount in the background. */
const FRESH_MS = 5 * 60_000;
/** After this the counts are too old to show: the load waits for a recount. */
const MAX_AGE_MS = 60 * 60_000;
const MAX_ENTRIES = 2_000;
type Entry = { at: number; rows: Promise<HourCount[]>; refreshing: boolean };
const cache = new Map<string, Entry>();

/**
 * Runs per hour and state type between `from` and `to` (the days of the 7-day chart before
 * yesterday), cached per workspace and window in this app instance; the window moves once a day.
 * The 7-day window at a million runs a month is ~230k rows, ~300–450 ms to count; the live part
 * (since yesterday 00:00 UTC) is a quarter of that at most. Stale-while-revalidate: counts older than 5 minutes are shown while a recount runs in
 * the background, so only a workspace's first load (per instance, or after an idle hour) waits.
 * The price: a run that started before yesterday and changes state now (a very long run
 * finishing, a person's Retry) shows its new state in the daily bars a few minutes later.
 */
export function olderRunCounts(db: Db, workspaceId: string, from: Date, to: Date, now = Date.now()): Promise<HourCount[]> {
  const key = `${workspaceId}:${from.toISOString()}:${to.toISOString()}`;
  const hit = cache.get(key);
  if (hit && now - hit.at < MAX_AGE_MS) {
    if (now - hit.at >= FRESH_MS && !hit.refreshing) {
      hit.refreshing = true;
      const rows = countByHour(db, workspaceId, from, to);
      rows.then(
        () => cache.set(key, { at: now, rows, refreshing: false }),
        () => (hit.refreshing = false),
      );
    }
    return hit.rows;
  }
  if (cache.size >= MAX_ENTRIES) for (const [k, v] of cache) if (now - v.at >= MAX_AGE_MS || cache.size >= MAX_ENTRIES) cache.delete(k);
  const rows = countByHour(db, workspaceId, from, to);
  cache.set(key, { at: now, rows, refreshing: false });
  rows.catch(() => cache.delete(key));
  return rows;
}

/** An index-only scan of flow_runs_timeline_idx: (workspace, start or due time, state). */
export async function countByHour(db: Db, workspaceId: string, from: Date, to: Date): Promise<HourCount[]> {
  const { rows } = await db.$client.query<HourCount>(
    `select date_trunc('hour', coalesce(start_time, scheduled_time)) as hour, state_type, count(*)::int as n
       from flow_runs
      where workspace_id = $1 and coalesce(start_time, scheduled_time) >= $2::timestamptz and coalesce(start_time, scheduled_time) < $3::timestamptz
      group by 1, 2`,
    [workspaceId, from, to],
  );
  return rows;
}
