import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type pg from "pg";
import { LEASE_SECONDS } from "../../agent/protocol/leases";

/** How often an instance records that it hears agents. */
const BEACON_MS = 1_000;
/** An instance not seen for this long was not hearing (down, frozen, or cut off from Postgres). */
const GAP_SECONDS = 3;

let cannotHear = false;

/**
 * Called where the API answers 503 because Postgres is unreachable: the agent that got it extends
 * its runs' leases (an outage, not a partition), so this instance's stretch of hearing must start
 * again, and with it the reaper's wait.
 */
export function noteCannotHear() {
  cannotHear = true;
}

/**
 * Keeps this instance's row in `server_instances` fresh, once a second. A stretch of hearing
 * starts when the instance starts, when a write follows a gap (the database was away, or the
 * process was frozen), and after it answered an agent 503.
 */
export function startHearingBeacon(pool: pg.Pool): { stop: () => void } {
  const id = randomUUID();
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  // One write at a time: a slow one (Postgres just back) must not pile up the next.
  const beat = async () => {
    const restart = cannotHear;
    try {
      await pool.query(
        `insert into server_instances (id, hostname, pid) values ($1, $2, $3)
         on conflict (id) do update set seen_at = now(),
           hearing_since = case when $4 or server_instances.seen_at < now() - make_interval(secs => $5) then now()
                                else server_instances.hearing_since end`,
        [id, hostname(), process.pid, restart, GAP_SECONDS],
      );
      if (restart) cannotHear = false;
    } catch {
      // Postgres unreachable: the gap itself restarts the stretch once a write gets through.
    }
  };
  void (running = beat());
  const timer = setInterval(() => {
    if (!stopped) running = running.then(beat);
  }, BEACON_MS);
  timer.unref();
  return {
    // No last write: the instance's final `seen_at` already marks when it stopped hearing (the
    // server stops listening first), and waiting for Postgres here would hold up shutdown.
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/**
 * Since when the server, as a whole, has been hearing agents without a break: the latest of
 * the start of a live instance's stretch and the moment an instance stopped being seen (agents
 * talking to it met an outage). Null when no instance is hearing now. The lease reaper acts only
 * on leases that expired while this stretch had lasted a full lease period.
 */
export async function clusterHearingSince(q: Pick<pg.Pool, "query">): Promise<Date | null> {
  const { rows } = await q.query<{ since: Date | null }>(
    `select case when bool_or(seen_at >= now() - make_interval(secs => $1))
                 then greatest(max(hearing_since) filter (where seen_at >= now() - make_interval(secs => $1)),
                               max(seen_at) filter (where seen_at < now() - make_interval(secs => $1)))
            end as since
       from server_instances
      where seen_at >= now() - make_interval(secs => $1 + $2 * 3)`,
    [GAP_SECONDS, LEASE_SECONDS],
  );
  return rows[0]?.since ?? null;
}

/** Housekeeping: instances gone for a day are history. */
export async function forgetGoneInstances(q: Pick<pg.Pool, "query">) {
  await q.query("delete from server_instances where seen_at < now() - interval '1 day'");
}
