/**
 * Wall-clock time in an IANA time zone, without a date library: Intl knows every zone's offsets.
 * A "wall time" here is a number of milliseconds whose UTC fields are the local fields (a
 * floating time), which is how the `rrule` package wants to be fed.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // h23: some locales print midnight as 24:00 with the default hour cycle.
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True for names Intl accepts (IANA zones such as Europe/Berlin, and UTC). */
export function isValidTimeZone(timeZone: string): boolean {
  if (!timeZone || timeZone.length > 100) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local wall time of an instant in a zone, as floating milliseconds (sub-second part kept). */
export function wallTimeOf(instantMs: number, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(new Date(instantMs));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)!.value);
  const wholeSeconds = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return wholeSeconds + (((instantMs % 1000) + 1000) % 1000);
}

const DAY_MS = 86_400_000;

/**
 * Every instant at which the zone's clocks show this wall time, earliest first: one normally, two
 * when the clocks go back (the hour repeats), none when they jump forward (the hour is skipped).
 */
export function instantsAt(wallMs: number, timeZone: string): number[] {
  // Offsets a day either side bracket any single transition; DST changes are never a day apart.
  const offsets = new Set([wallTimeOf(wallMs - DAY_MS, timeZone) - (wallMs - DAY_MS), wallTimeOf(wallMs + DAY_MS, timeZone) - (wallMs + DAY_MS)]);
  const out: number[] = [];
  for (const offset of offsets) {
    const candidate = wallMs - offset;
    if (wallTimeOf(candidate, timeZone) === wallMs) out.push(candidate);
  }
  return out.sort((a, b) => a - b);
}

/**
 * The instant for a wall time that may fall in a DST gap, read with the UTC offset in force just
 * before the gap (RFC 5545 §3.3.5): 02:30 on a spring-forward night in Berlin is 03:30 CEST.
 */
export function instantBeforeGapOffset(wallMs: number, timeZone: string): number {
  const before = wallTimeOf(wallMs - DAY_MS, timeZone) - (wallMs - DAY_MS);
  return wallMs - before;
}
