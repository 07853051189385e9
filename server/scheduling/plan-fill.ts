import type { CompiledSchedule } from "./schedule-slots";

const HOUR = 3_600_000;

/**
 * How far ahead runs exist: enough that the next runs are visible and claimable on time, few
 * enough that a minutely schedule does not write thousands of rows nobody will look at.
 * Both maxima are hard caps; the UI previews further with describeNext.
 */
export const FILL_POLICY = { minRuns: 3, minAheadMs: HOUR, maxRuns: 100, maxAheadMs: 7 * 24 * HOUR };
export type FillPolicy = typeof FILL_POLICY;

export type FillPlan = { slots: Date[]; filledUntil: Date };

/**
 * The slots to create now for one schedule, given the newest slot already created (`filledUntil`,
 * null for a new or just-reset schedule), or null when it is filled far enough.
 *
 * Runs are created until at least `minRuns` lie ahead of now and every slot up to now + minAhead
 * exists, never past `maxRuns` ahead or now + maxAhead.
 *
 * Downtime: when `filledUntil` is in the past (the scheduler was down for longer than the horizon),
 * the slots missed in between are not replayed: only the latest missed one is created, due at once
 * (its scheduled time is its slot, so it shows as Late), and filling continues from now. A
 * schedule that missed 1,440 minutely slots during a day-long outage runs once, not 1,440 times.
 * A new schedule starts with the first slot after now.
 */
export function planFill(schedule: CompiledSchedule, filledUntil: Date | null, now: Date, policy: FillPolicy = FILL_POLICY): FillPlan | null {
  const minHorizon = new Date(now.getTime() + policy.minAheadMs);
  const maxHorizon = new Date(now.getTime() + policy.maxAheadMs);
  const slots: Date[] = [];
  let cursor = now;
  let ahead = 0;

  if (filledUntil && filledUntil > now) {
    const [next] = take(schedule.after(filledUntil), 1);
    if (!next || next > maxHorizon) return null;
    // Cheap check first: every 5 s this runs for every schedule, and usually nothing is due.
    if (next > minHorizon && countUpTo(schedule, now, filledUntil, policy.minRuns) >= policy.minRuns) return null;
    ahead = countUpTo(schedule, now, filledUntil, policy.maxRuns);
    cursor = filledUntil;
  } else if (filledUntil) {
    const missed = schedule.latest(now, filledUntil);
    if (missed) slots.push(missed);
  }

  for (const slot of schedule.after(cursor)) {
    if (ahead >= policy.maxRuns || slot > maxHorizon) break;
    if (ahead >= policy.minRuns && slot > minHorizon) break;
    slots.push(slot);
    ahead++;
  }
  return slots.length ? { slots, filledUntil: slots[slots.length - 1] } : null;
}

/** Slots in (from, to], counting at most `max`. */
function countUpTo(schedule: CompiledSchedule, from: Date, to: Date, max: number): number {
  let n = 0;
  if (max <= 0) return 0;
  for (const slot of schedule.after(from)) {
    if (slot > to || ++n >= max) break;
  }
  return n;
}

function take<T>(items: Iterable<T>, n: number): T[] {
  const out: T[] = [];
  if (n <= 0) return out;
  for (const item of items) {
    if (out.push(item) >= n) break;
  }
  return out;
}

/**
 * When a schedule that `planFill` just found filled far enough could next need filling: never
 * later than the true time (so skipping it until then is safe), often a little earlier.
 * Null when the schedule has no further slots at all.
 */
export function nextCheckAt(schedule: CompiledSchedule, filledUntil: Date | null, now: Date, policy: FillPolicy = FILL_POLICY): Date | null {
  const from = filledUntil && filledUntil > now ? filledUntil : now;
  const [next] = take(schedule.after(from), 1);
  if (!next) return null;
  // It can be added once it is within maxAhead; it must be once within minAhead, or once fewer
  // than minRuns remain ahead, which cannot happen before the first future slot has passed.
  const withinMax = next.getTime() - policy.maxAheadMs;
  const withinMin = next.getTime() - policy.minAheadMs;
  const [firstAhead] = from === now ? [next] : take(schedule.after(now), 1);
  return new Date(Math.max(withinMax, Math.min(withinMin, firstAhead.getTime()), now.getTime()));
}
