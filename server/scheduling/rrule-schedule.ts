import * as rruleModule from "rrule";
import type { Options, RRule as RRuleType } from "rrule";
import { AppError } from "../errors";
import { instantBeforeGapOffset, instantsAt, isValidTimeZone, wallTimeOf } from "./zoned-time";

// rrule ships CommonJS for Node: under Node's ESM loader its classes sit on `default`, under
// bundlers and vitest on the namespace itself.
const { RRule } = ((rruleModule as unknown as { default?: typeof rruleModule }).default ?? rruleModule) as typeof rruleModule;

/**
 * RRULE schedules (RFC 5545), evaluated in wall-clock time of the schedule's zone.
 *
 * rrule's own TZID support converts through the *server process's* local zone, so it gives
 * different answers on different machines. Instead every rule runs in floating time (UTC fields
 * standing for local fields, no tzid) and each occurrence is turned into instants here:
 * - FREQ=DAILY and coarser are fixed local times: a time the clocks skip (spring forward) runs
 *   with the offset from before the gap, as RFC 5545 §3.3.5 says (02:30 → 03:30); a time that
 *   occurs twice (fall back) runs once, at its first occurrence.
 * - FREQ=HOURLY and MINUTELY are elapsed-time rhythms: skipped local times are skipped and a
 *   repeated hour runs on both passes, so "every hour" really runs every hour (23 or 25 a day).
 *
 * Lines accepted: DTSTART (optionally ;TZID=… or …Z), one RRULE, EXDATE and RDATE. Without a
 * DTSTART the rule counts from 2024-01-01 00:00 (a Monday) in the schedule's zone, so the same text
 * always means the same times: FREQ=DAILY runs at midnight, WEEKLY on Mondays, MONTHLY on the 1st.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Local times near one instant are within this of each other, whatever DST does (≤ 2 h shifts). */
const MARGIN = 3 * HOUR;
const IMPLICIT_DTSTART = Date.UTC(2024, 0, 1);
/** rrule walks period by period even when nothing matches; this bounds one query's walk. */
const PERIOD_BUDGET = 60_000;
const MAX_COUNT = 10_000;

// rrule's Frequency values.
const YEARLY = 0, MONTHLY = 1, WEEKLY = 2, DAILY = 3, HOURLY = 4, MINUTELY = 5, SECONDLY = 6;

export type RruleSchedule = {
  /** The zone the rule runs in: the DTSTART's TZID if it has one, else the schedule's. */
  timezone: string;
  /** Occurrences strictly after `after`, earliest first, lazily. */
  after(after: Date): Generator<Date, void, undefined>;
  /** The latest occurrence in (notBefore, atOrBefore], or null. */
  latest(atOrBefore: Date, notBefore: Date | null): Date | null;
};

class TooSparse extends Error {}

const bad = (detail: string) =>
  new AppError("BAD_REQUEST", `Invalid RRULE: ${detail}. Example: "DTSTART;TZID=Europe/Berlin:20250101T090000\\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR".`);

type DateValue = { ms: number; utc: boolean; tzid: string | null };

function parseDateValue(value: string, what: string, tzid: string | null): DateValue {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(value.trim());
  if (!m) throw bad(`${what} "${value}" is not a date such as 20250101T090000 (local), 20250101T080000Z (UTC) or 20250101`);
  const [y, mo, d, h = "0", mi = "0", s = "0"] = m.slice(1);
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  const check = new Date(ms);
  if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) throw bad(`${what} "${value}" is not a real date and time`);
  return { ms, utc: m[7] === "Z", tzid };
}

/** A DTSTART/EXDATE/RDATE value as floating time in `zone`. */
function toFloating(v: DateValue, zone: string): number {
  if (v.utc) return wallTimeOf(v.ms, zone);
  if (v.tzid && v.tzid !== zone) return wallTimeOf(fixedInstant(v.ms, v.tzid), zone);
  return v.ms;
}

function fixedInstant(wallMs: number, zone: string): number {
  return instantsAt(wallMs, zone)[0] ?? instantBeforeGapOffset(wallMs, zone);
}

type ContentLine = { name: string; params: Record<string, string>; value: string };

function contentLines(text: string): ContentLine[] {
  const unfolded = text.replace(/\r\n?/g, "\n").replace(/\n[ \t]/g, "");
  const out: ContentLine[] = [];
  for (const raw of unfolded.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    if (/^FREQ=/i.test(line)) {
      out.push({ name: "RRULE", params: {}, value: line });
      continue;
    }
    const m = /^([A-Za-z-]+)((?:;[^:;]+=[^:;]*)*):(.*)$/.exec(line);
    if (!m) throw bad(`cannot read the line "${line}"; lines look like "RRULE:FREQ=DAILY" or "DTSTART:20250101T090000"`);
    const params: Record<string, string> = {};
    for (const p of m[2].split(";").filter(Boolean)) {
      const [k, v] = p.split("=");
      params[k.toUpperCase()] = v;
    }
    out.push({ name: m[1].toUpperCase(), params, value: m[3] });
  }
  return out;
}

const RANGES: Record<string, [number, number, boolean]> = {
  // [min, max, negatives allowed]
  BYSECOND: [0, 59, false],
  BYMINUTE: [0, 59, false],
  BYHOUR: [0, 23, false],
  BYMONTH: [1, 12, false],
  BYMONTHDAY: [1, 31, true],
  BYYEARDAY: [1, 366, true],
  BYWEEKNO: [1, 53, true],
  BYSETPOS: [1, 366, true],
  INTERVAL: [1, 1000, false],
  COUNT: [1, MAX_COUNT, false],
};

function parseRruleValue(value: string): Partial<Options> {
  if (/(^|;)(DTSTART|TZID)=/i.test(value)) throw bad("put DTSTART on its own line (DTSTART;TZID=Europe/Berlin:20250101T090000), not inside RRULE");
  for (const part of value.split(";").filter(Boolean)) {
    const [key, v] = part.split("=");
    const range = RANGES[key?.toUpperCase()];
    if (!range || v === undefined) continue;
    for (const item of v.split(",")) {
      const n = Number(item);
      const [min, max, negatives] = range;
      const ok = /^[+-]?\d+$/.test(item) && ((n >= min && n <= max) || (negatives && n <= -min && n >= -max));
      if (!ok) throw bad(`${key.toUpperCase()}=${v} is out of range (${min}..${max}${negatives ? ` or -${max}..-${min}` : ""})`);
    }
  }
  let parsed: Partial<Options>;
  try {
    parsed = RRule.parseString(value);
  } catch (err) {
    throw bad((err as Error).message.replace(/\.$/, ""));
  }
  if (parsed.freq === undefined) throw bad(`FREQ is missing or unknown; use one of YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY, MINUTELY`);
  if (parsed.freq === SECONDLY) throw bad("FREQ=SECONDLY is not supported; use a 6-field cron expression for schedules that need seconds");
  // rrule steps such a rule minute by minute but jumps whole hours to the next BYHOUR, so where it
  // lands depends on every step since DTSTART: it cannot be computed near "now" in bounded time.
  const interval = parsed.interval ?? 1;
  const hours = parsed.byhour == null ? [] : ([] as number[]).concat(parsed.byhour);
  if (parsed.freq === MINUTELY && new Set(hours).size > 0 && new Set(hours).size < 24 && 60 % interval !== 0 && interval % 60 !== 0) {
    throw bad(`FREQ=MINUTELY with BYHOUR needs an INTERVAL that divides an hour or is whole hours (5, 10, 15, 20, 30, 60, 120…), not ${interval}; a cron expression such as "*/${Math.min(interval, 59)} 9-17 * * *" may be what you want`);
  }
  const days = Array.isArray(parsed.byweekday) ? parsed.byweekday : parsed.byweekday == null ? [] : [parsed.byweekday];
  if (days.some((d) => d === undefined || d === null)) throw bad("BYDAY takes MO, TU, WE, TH, FR, SA, SU, optionally with an ordinal such as 1MO or -1FR");
  if (parsed.wkst === undefined && /WKST=/i.test(value)) throw bad("WKST takes MO, TU, WE, TH, FR, SA or SU");
  return parsed;
}

type Compiled = {
  explicit: Partial<Options>;
  dtstart: number;
  freq: number;
  interval: number;
  wkst: number;
  counted: boolean;
  exdates: Set<number>;
  rdates: number[];
};

/** Parses and checks an RRULE text; throws AppError("BAD_REQUEST") saying what to fix. */
export function compileRrule(text: string, scheduleTimezone: string): RruleSchedule {
  const lines = contentLines(text);
  const dtstarts = lines.filter((l) => l.name === "DTSTART");
  const rrules = lines.filter((l) => l.name === "RRULE");
  const other = lines.find((l) => !["DTSTART", "RRULE", "EXDATE", "RDATE"].includes(l.name));
  if (other) throw bad(`${other.name} is not supported; use DTSTART, RRULE, EXDATE and RDATE lines`);
  if (rrules.length !== 1) throw bad(rrules.length === 0 ? "there is no RRULE line (e.g. RRULE:FREQ=DAILY;BYHOUR=9)" : "use exactly one RRULE line per schedule; add more schedules for more rules");
  if (dtstarts.length > 1) throw bad("there is more than one DTSTART");

  const startTzid = dtstarts[0]?.params.TZID ?? null;
  for (const l of lines) {
    const tz = l.params.TZID;
    if (tz && !isValidTimeZone(tz)) throw bad(`unknown TZID "${tz}"; use an IANA name such as Europe/Berlin`);
  }
  if (startTzid && scheduleTimezone !== "UTC" && startTzid !== scheduleTimezone) {
    throw bad(`the DTSTART's TZID (${startTzid}) differs from the schedule's timezone (${scheduleTimezone}); drop the TZID or make them the same`);
  }
  const zone = startTzid ?? scheduleTimezone;

  const parsed = parseRruleValue(rrules[0].value);
  const dtstart = dtstarts[0] ? toFloating(parseDateValue(dtstarts[0].value, "DTSTART", startTzid), zone) : IMPLICIT_DTSTART;
  if (parsed.count != null && !dtstarts[0]) throw bad("COUNT needs a DTSTART to count from, e.g. DTSTART;TZID=Europe/Berlin:20250101T090000");
  const untilRaw = /(?:^|;)UNTIL=([^;]+)/i.exec(rrules[0].value)?.[1];
  const until = untilRaw ? toFloating(parseDateValue(untilRaw, "UNTIL", null), zone) : null;

  const dates = (name: string) =>
    lines
      .filter((l) => l.name === name)
      .flatMap((l) => l.value.split(",").map((v) => toFloating(parseDateValue(v, name, l.params.TZID ?? startTzid), zone)));

  let full: RRuleType;
  try {
    full = new RRule({ ...parsed, tzid: null, dtstart: new Date(dtstart), until: until === null ? null : new Date(until) }, true);
  } catch (err) {
    throw bad((err as Error).message.replace(/\.$/, ""));
  }
  // Spell out what rrule otherwise derives from DTSTART (the hour of a DAILY rule, the weekday of
  // a WEEKLY one…), so the rule can be restarted from a later DTSTART without changing meaning.
  const explicit: Partial<Options> = { ...parsed, tzid: null, until: until === null ? null : new Date(until) };
  for (const key of ["bymonth", "bymonthday", "byweekday", "byhour", "byminute", "bysecond"] as const) {
    const derived = full.options[key];
    if (parsed[key] == null && Array.isArray(derived) && derived.length > 0) (explicit as Record<string, unknown>)[key] = derived;
  }
  const compiled: Compiled = {
    explicit,
    dtstart,
    freq: full.options.freq,
    interval: full.options.interval,
    wkst: full.options.wkst,
    counted: parsed.count != null,
    exdates: new Set(dates("EXDATE")),
    rdates: dates("RDATE").sort((a, b) => a - b),
  };
  return makeSchedule(compiled, zone);
}

/** The period grid start at or before `target`, at least one whole period after DTSTART's. */
function restartPoint(c: Compiled, target: number): number {
  if (c.counted || target <= c.dtstart) return c.dtstart;
  const d = new Date(c.dtstart);
  const t = new Date(target);
  if (c.freq === YEARLY || c.freq === MONTHLY) {
    const perYear = c.freq === YEARLY ? 1 : 12;
    const diff = c.freq === YEARLY ? t.getUTCFullYear() - d.getUTCFullYear() : (t.getUTCFullYear() - d.getUTCFullYear()) * 12 + t.getUTCMonth() - d.getUTCMonth();
    const m = Math.floor(diff / c.interval) - 1;
    if (m < 1) return c.dtstart;
    return perYear === 1 ? Date.UTC(d.getUTCFullYear() + m * c.interval, 0, 1) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + m * c.interval, 1);
  }
  const unit = c.freq === WEEKLY ? 7 * DAY : c.freq === DAILY ? DAY : c.freq === HOURLY ? HOUR : 60_000;
  const step = unit * c.interval;
  const m = Math.floor((target - c.dtstart) / step) - 1;
  if (m < 1) return c.dtstart;
  const base = c.dtstart + m * step;
  if (c.freq === WEEKLY) {
    const dayStart = base - (((base % DAY) + DAY) % DAY);
    const weekday = (new Date(dayStart).getUTCDay() + 6) % 7; // rrule counts Monday as 0
    return dayStart - ((weekday - c.wkst + 7) % 7) * DAY;
  }
  const truncate = Math.min(unit, DAY);
  return base - (((base % truncate) + truncate) % truncate);
}

function makeSchedule(c: Compiled, zone: string): RruleSchedule {
  const fixedTime = c.freq <= DAILY;
  let periods = 0;

  /** The rule restarted near `target`, with a walk budget so a rule that never matches stops. */
  function ruleNear(target: number): RRuleType {
    const rule = new RRule({ ...c.explicit, dtstart: new Date(restartPoint(c, target)) }, true);
    const tick = () => {
      if (++periods > PERIOD_BUDGET) throw new TooSparse();
    };
    // rrule has no way to stop a walk over periods where nothing matches: it goes on to year 9999,
    // and for HOURLY/MINUTELY rules whose INTERVAL never meets BYHOUR/BYMINUTE it loops forever
    // (rrule/dist/esm/datetime.js addHours). It reads `interval` once per period and calls
    // byhour/byminute.indexOf once per step of those loops, so counting those reads bounds both.
    const interval = rule.options.interval;
    Object.defineProperty(rule.options, "interval", {
      get() {
        tick();
        return interval;
      },
    });
    for (const key of ["byhour", "byminute"] as const) {
      const list = rule.options[key];
      if (!Array.isArray(list)) continue;
      const counted = [...list];
      Object.defineProperty(counted, "indexOf", {
        value: (v: number) => {
          tick();
          return list.indexOf(v);
        },
      });
      rule.options[key] = counted;
    }
    return rule;
  }

  function guarded<T>(fn: () => T): T {
    periods = 0;
    try {
      return fn();
    } catch (err) {
      if (err instanceof TooSparse) throw tooSparse();
      throw err;
    }
  }

  function instantsOf(floating: number): number[] {
    const at = instantsAt(floating, zone);
    if (!fixedTime) return at;
    return at.length ? [at[0]] : [instantBeforeGapOffset(floating, zone)];
  }

  function floatsBetween(from: number, to: number): number[] {
    const fromRule = guarded(() => ruleNear(from).between(new Date(from), new Date(to), true).map((d) => d.getTime()));
    const extra = c.rdates.filter((r) => r >= from && r <= to);
    return [...fromRule, ...extra].filter((f) => !c.exdates.has(f));
  }

  function nextFloat(from: number): number | null {
    let cursor = from;
    for (;;) {
      const next = guarded(() => ruleNear(cursor).after(new Date(cursor), false))?.getTime() ?? null;
      if (next !== null && c.exdates.has(next)) {
        cursor = next;
        continue;
      }
      const rdate = c.rdates.find((r) => r > from && !c.exdates.has(r)) ?? null;
      if (next === null) return rdate;
      return rdate === null ? next : Math.min(next, rdate);
    }
  }

  function* after(afterDate: Date): Generator<Date, void, undefined> {
    const after = afterDate.getTime();
    const seen = new Set<number>();
    let pending: number[] = [];
    let cursor = wallTimeOf(after, zone) - MARGIN;
    let size = Math.max(12 * HOUR, 4 * periodLength(c));
    for (;;) {
      const end = cursor + size;
      for (const f of floatsBetween(cursor, end)) {
        for (const i of instantsOf(f)) {
          if (i > after && !seen.has(i)) {
            seen.add(i);
            pending.push(i);
          }
        }
      }
      pending.sort((a, b) => a - b);
      // Floating times after `end` only give instants after `safe`: a local time is never more
      // than MARGIN behind the local time of any earlier instant.
      const safe = end - 2 * MARGIN - (wallTimeOf(end, zone) - end);
      const next = nextFloat(end);
      const ready = next === null ? pending : pending.filter((i) => i <= safe);
      pending = next === null ? [] : pending.filter((i) => i > safe);
      for (const i of ready) yield new Date(i);
      if (next === null) return;
      cursor = Math.max(end, next);
      size *= 2;
    }
  }

  // Searching backwards is done forwards from ever earlier starts: `after` already gets DST right.
  function latest(atOrBefore: Date, notBefore: Date | null): Date | null {
    const end = atOrBefore.getTime();
    const firstFloat = Math.min(c.dtstart, c.rdates[0] ?? Infinity);
    const lowest = notBefore?.getTime() ?? fixedInstant(firstFloat, zone) - DAY;
    let span = 4 * periodLength(c);
    for (;;) {
      const start = Math.max(end - span, lowest);
      let best: Date | null = null;
      for (const d of after(new Date(start))) {
        if (d.getTime() > end) break;
        best = d;
      }
      if (best || start <= lowest) return best;
      span *= 4;
    }
  }

  return { timezone: zone, after, latest };
}

function periodLength(c: Compiled): number {
  const unit = [366 * DAY, 31 * DAY, 7 * DAY, DAY, HOUR, 60_000, 1000][c.freq];
  return unit * c.interval;
}

function tooSparse() {
  return new AppError(
    "BAD_REQUEST",
    "Invalid RRULE: it matches no time within a reasonable search (it may never match, e.g. BYMONTH=2;BYMONTHDAY=30). Check its BY… parts and INTERVAL.",
  );
}
