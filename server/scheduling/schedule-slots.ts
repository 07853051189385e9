import { Cron } from "croner";
import { AppError } from "../errors";
import { compileRrule } from "./rrule-schedule";
import { isValidTimeZone } from "./zoned-time";

/**
 * Slot times of a schedule: the instants its runs are due. Pure functions of the definition.
 *
 * - cron: five fields (or six, with seconds first), evaluated by croner in the schedule's IANA
 *   zone, day-of-month and day-of-week OR-ed as in Vixie cron. DST follows Vixie cron and croner:
 *   a fixed time the clocks skip runs once, right after the jump (02:30 on a spring-forward night
 *   in Berlin runs at 03:00 CEST); a fixed time that occurs twice runs once, at the first
 *   occurrence. Patterns with a wildcard, range or step in second/minute/hour ("*\/15 * * * *")
 *   are rhythms: skipped local times are skipped, repeated ones run on both passes.
 * - interval: anchor + n × intervalSeconds for n ≥ 0, in elapsed time (DST does not shift it); the
 *   anchor defaults to the schedule's creation time. For "every day at 09:00 local" use cron.
 * - rrule: see rrule-schedule.ts.
 */

export type ScheduleDefinition = {
  kind: "cron" | "interval" | "rrule";
  cron?: string | null;
  intervalSeconds?: number | null;
  anchor?: Date | null;
  rrule?: string | null;
  timezone: string;
  /** The interval anchor when `anchor` is empty. */
  createdAt?: Date | null;
};

export type CompiledSchedule = {
  /** The zone the schedule runs in (an RRULE's DTSTART;TZID can set it). */
  timezone: string;
  /** Slot times strictly after `after`, earliest first, lazily (a schedule may be endless). */
  after(after: Date): Iterable<Date>;
  /** The latest slot time in (notBefore, atOrBefore], or null. */
  latest(atOrBefore: Date, notBefore: Date | null): Date | null;
};

const badRequest = (message: string) => new AppError("BAD_REQUEST", message);

function compileCron(pattern: string, timezone: string): CompiledSchedule {
  let cron: Cron;
  try {
    cron = new Cron(pattern.trim(), { timezone, mode: "5-or-6-parts" });
  } catch (err) {
    const detail = (err as Error).message.replace(/^CronPattern: /, "").replace(/\.$/, "");
    throw badRequest(
      `Invalid cron expression "${pattern}": ${detail}. Use five fields (minute hour day-of-month month day-of-week), e.g. "0 9 * * 1-5" for 09:00 on weekdays.`,
    );
  }
  return {
    timezone,
    *after(after) {
      // croner works in whole seconds and its nextRun is exclusive of the reference.
      let cursor: Date | null = after;
      while ((cursor = cron.nextRun(cursor))) yield cursor;
    },
    latest(atOrBefore, notBefore) {
      // previousRuns is exclusive of its reference and slots are whole seconds: start from the next whole second.
      const [prev] = cron.previousRuns(1, new Date(Math.floor(atOrBefore.getTime() / 1000) * 1000 + 1000));
      return prev && prev <= atOrBefore && (!notBefore || prev > notBefore) ? prev : null;
    },
  };
}

function compileInterval(seconds: number, anchor: Date, timezone: string): CompiledSchedule {
  const step = seconds * 1000;
  const a = anchor.getTime();
  return {
    timezone,
    *after(after) {
      const t = after.getTime();
      let n = t < a ? 0 : Math.floor((t - a) / step) + 1;
      for (;;) yield new Date(a + n++ * step);
    },
    latest(atOrBefore, notBefore) {
      const t = atOrBefore.getTime();
      if (t < a) return null;
      const slot = new Date(a + Math.floor((t - a) / step) * step);
      return !notBefore || slot > notBefore ? slot : null;
    },
  };
}

/**
 * Checks a definition and prepares it for computing slots. Throws AppError("BAD_REQUEST") with a
 * message that says what to fix: a bad cron or RRULE, an unknown zone, an interval below 1 s.
 */
export function compileSchedule(def: ScheduleDefinition): CompiledSchedule {
  if (!isValidTimeZone(def.timezone)) {
    throw badRequest(`Unknown time zone "${def.timezone}". Use an IANA name such as "Europe/Berlin", "America/New_York" or "UTC".`);
  }
  switch (def.kind) {
    case "cron":
      if (!def.cron?.trim()) throw badRequest('A cron schedule needs a cron expression, e.g. "0 9 * * 1-5".');
      return compileCron(def.cron, def.timezone);
    case "interval": {
      const s = def.intervalSeconds;
      if (!s || !Number.isInteger(s) || s < 1) throw badRequest("An interval schedule needs intervalSeconds: a whole number of seconds, at least 1.");
      const anchor = def.anchor ?? def.createdAt;
      if (!anchor || Number.isNaN(anchor.getTime())) throw badRequest("An interval schedule needs an anchor time (when its first run is due).");
      return compileInterval(s, anchor, def.timezone);
    }
    case "rrule":
      if (!def.rrule?.trim()) throw badRequest('An RRULE schedule needs a rule, e.g. "RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0".');
      return compileRrule(def.rrule, def.timezone);
    default:
      throw badRequest(`Unknown schedule kind "${(def as { kind: string }).kind}"; use cron, interval or rrule.`);
  }
}

/** Up to `limit` slot times after `after` (exclusive), stopping past `until` when given. */
export function slotsAfter(schedule: CompiledSchedule, after: Date, limit: number, until?: Date): Date[] {
  const out: Date[] = [];
  if (limit <= 0) return out;
  for (const slot of schedule.after(after)) {
    if (until && slot > until) break;
    out.push(slot);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * Validates a definition the way a person will see it: besides syntax, a cron or RRULE that can
 * never produce a time is refused (an RRULE whose UNTIL or COUNT has simply passed is allowed).
 */
export function validateSchedule(def: ScheduleDefinition, now = new Date()): CompiledSchedule {
  const compiled = compileSchedule(def);
  if (def.kind === "cron" && slotsAfter(compiled, now, 1).length === 0) {
    throw badRequest(`The cron expression "${def.cron}" never matches a date (e.g. February 30). Check its day-of-month and month fields.`);
  }
  if (def.kind === "rrule" && slotsAfter(compiled, now, 1).length === 0 && !compiled.latest(now, null)) {
    throw badRequest("Invalid RRULE: it produces no times at all. Check its UNTIL, COUNT and BY… parts.");
  }
  return compiled;
}

/**
 * The next `n` times (at most 1,000) a schedule will run after `from`, for previews in the UI.
 * An interval without anchor or creation time is previewed as if created at `from`.
 */
export function describeNext(def: ScheduleDefinition, n: number, from = new Date()): Date[] {
  const createdAt = def.createdAt ?? new Date(Math.floor(from.getTime() / 1000) * 1000);
  return slotsAfter(compileSchedule({ ...def, createdAt }), from, Math.min(Math.max(n, 0), 1000));
}
