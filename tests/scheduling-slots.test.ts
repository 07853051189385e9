import * as rruleModule from "rrule";
import { describe, expect, it } from "vitest";
import { AppError } from "../server/errors";
import { FILL_POLICY, planFill } from "../server/scheduling/plan-fill";
import { compileSchedule, describeNext, slotsAfter, validateSchedule, type ScheduleDefinition } from "../server/scheduling/schedule-slots";

const { RRule } = ((rruleModule as unknown as { default?: typeof rruleModule }).default ?? rruleModule) as typeof rruleModule;

const iso = (dates: Date[]) => dates.map((d) => d.toISOString().replace(".000", ""));
const at = (s: string) => new Date(s);
const next = (def: ScheduleDefinition, from: string, n: number) => iso(slotsAfter(compileSchedule(def), at(from), n));
/** Slots in (from, to]. */
const between = (def: ScheduleDefinition, from: string, to: string) => iso(slotsAfter(compileSchedule(def), at(from), 10_000, at(to)));
const cron = (expr: string, timezone = "UTC"): ScheduleDefinition => ({ kind: "cron", cron: expr, timezone });
const rrule = (text: string, timezone = "UTC"): ScheduleDefinition => ({ kind: "rrule", rrule: text, timezone });

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("BAD_REQUEST");
    return (err as AppError).message;
  }
  throw new Error("expected a BAD_REQUEST");
}

describe("cron slots", () => {
  it("follow the expression in UTC and in a zone, exclusive of the reference time", () => {
    expect(next(cron("0 9 * * 1-5"), "2025-06-06T09:00:00Z", 2)).toEqual(["2025-06-09T09:00:00Z", "2025-06-10T09:00:00Z"]);
    // 09:00 Berlin is 08:00Z in winter and 07:00Z in summer.
    expect(next(cron("0 9 * * *", "Europe/Berlin"), "2025-01-10T00:00:00Z", 1)).toEqual(["2025-01-10T08:00:00Z"]);
    expect(next(cron("0 9 * * *", "Europe/Berlin"), "2025-07-10T00:00:00Z", 1)).toEqual(["2025-07-10T07:00:00Z"]);
    expect(next(cron("*/15 * * * *"), "2025-06-06T10:07:30.250Z", 3)).toEqual(["2025-06-06T10:15:00Z", "2025-06-06T10:30:00Z", "2025-06-06T10:45:00Z"]);
    expect(next(cron("@daily"), "2025-06-06T10:00:00Z", 1)).toEqual(["2025-06-07T00:00:00Z"]);
    // Six fields: seconds first.
    expect(next(cron("*/20 * * * * *"), "2025-06-06T10:00:00Z", 3)).toEqual(["2025-06-06T10:00:20Z", "2025-06-06T10:00:40Z", "2025-06-06T10:01:00Z"]);
  });

  it("latest finds the newest slot at or before a time, after a floor", () => {
    const c = compileSchedule(cron("*/10 * * * *"));
    expect(c.latest(at("2025-06-06T10:37:00Z"), null)?.toISOString()).toBe("2025-06-06T10:30:00.000Z");
    expect(c.latest(at("2025-06-06T10:30:00Z"), null)?.toISOString()).toBe("2025-06-06T10:30:00.000Z");
    expect(c.latest(at("2025-06-06T10:37:00Z"), at("2025-06-06T10:30:00Z"))).toBeNull();
  });
});

describe("DST with cron", () => {
  // Europe/Berlin: 2025-03-30 02:00 CET → 03:00 CEST (01:00Z); 2025-10-26 03:00 CEST → 02:00 CET (01:00Z).
  // America/New_York: 2025-03-09 02:00 EST → 03:00 EDT (07:00Z); 2025-11-02 02:00 EDT → 01:00 EST (06:00Z).
  it("Berlin spring forward: a daily 02:30 runs once, at 03:00 CEST, right after the jump (as Vixie cron)", () => {
    expect(between(cron("30 2 * * *", "Europe/Berlin"), "2025-03-28T12:00:00Z", "2025-03-31T12:00:00Z")).toEqual([
      "2025-03-29T01:30:00Z", // 02:30 CET
      "2025-03-30T01:00:00Z", // 03:00 CEST: 02:30 did not exist
      "2025-03-31T00:30:00Z", // 02:30 CEST
    ]);
  });

  it("Berlin fall back: a daily 02:30 runs once, at the first 02:30 (CEST)", () => {
    expect(between(cron("30 2 * * *", "Europe/Berlin"), "2025-10-25T12:00:00Z", "2025-10-27T12:00:00Z")).toEqual([
      "2025-10-26T00:30:00Z", // 02:30 CEST; not again at 01:30Z (02:30 CET)
      "2025-10-27T01:30:00Z",
    ]);
  });

  it("New York spring forward and fall back", () => {
    expect(between(cron("30 2 * * *", "America/New_York"), "2025-03-08T00:00:00Z", "2025-03-10T12:00:00Z")).toEqual([
      "2025-03-08T07:30:00Z", // 02:30 EST
      "2025-03-09T07:00:00Z", // 03:00 EDT
      "2025-03-10T06:30:00Z", // 02:30 EDT
    ]);
    expect(between(cron("30 1 * * *", "America/New_York"), "2025-11-01T00:00:00Z", "2025-11-03T12:00:00Z")).toEqual([
      "2025-11-01T05:30:00Z", // 01:30 EDT
      "2025-11-02T05:30:00Z", // 01:30 EDT, the first of two; not at 06:30Z (01:30 EST)
      "2025-11-03T06:30:00Z", // 01:30 EST
    ]);
  });

  it("an hourly cron runs every real hour: 23 times on the spring-forward day, 25 on the fall-back day", () => {
    const spring = between(cron("0 * * * *", "Europe/Berlin"), "2025-03-29T23:00:00Z", "2025-03-30T22:00:00Z");
    expect(spring).toHaveLength(23);
    const fall = between(cron("0 * * * *", "America/New_York"), "2025-11-02T04:00:00Z", "2025-11-03T05:00:00Z");
    expect(fall).toHaveLength(25);
    for (const list of [spring, fall]) {
      for (let i = 1; i < list.length; i++) expect(Date.parse(list[i]) - Date.parse(list[i - 1])).toBe(3_600_000);
    }
  });

  it("a 30-minute rhythm keeps its rhythm through both changes, no duplicates", () => {
    expect(between(cron("*/30 * * * *", "Europe/Berlin"), "2025-10-26T00:00:00Z", "2025-10-26T02:00:00Z")).toEqual([
      "2025-10-26T00:30:00Z",
      "2025-10-26T01:00:00Z",
      "2025-10-26T01:30:00Z",
      "2025-10-26T02:00:00Z",
    ]);
    expect(between(cron("*/30 * * * *", "Europe/Berlin"), "2025-03-30T00:00:00Z", "2025-03-30T02:00:00Z")).toEqual([
      "2025-03-30T00:30:00Z",
      "2025-03-30T01:00:00Z",
      "2025-03-30T01:30:00Z",
      "2025-03-30T02:00:00Z",
    ]);
  });
});

describe("interval slots", () => {
  const def: ScheduleDefinition = { kind: "interval", intervalSeconds: 3600, anchor: at("2025-01-01T00:00:30Z"), timezone: "Europe/Berlin" };

  it("are anchor + n × interval in elapsed time, starting at the anchor", () => {
    expect(next(def, "2024-12-31T00:00:00Z", 2)).toEqual(["2025-01-01T00:00:30Z", "2025-01-01T01:00:30Z"]);
    expect(next(def, "2025-03-29T12:00:30Z", 2)).toEqual(["2025-03-29T13:00:30Z", "2025-03-29T14:00:30Z"]);
    // DST does not shift an interval: still one hour apart across Berlin's spring-forward.
    expect(between(def, "2025-03-30T00:00:00Z", "2025-03-30T03:00:00Z")).toEqual(["2025-03-30T00:00:30Z", "2025-03-30T01:00:30Z", "2025-03-30T02:00:30Z"]);
    const c = compileSchedule(def);
    expect(c.latest(at("2025-03-29T12:59:00Z"), null)?.toISOString()).toBe("2025-03-29T12:00:30.000Z");
    expect(c.latest(at("2024-12-31T00:00:00Z"), null)).toBeNull();
  });

  it("default to the creation time as anchor", () => {
    expect(next({ kind: "interval", intervalSeconds: 600, timezone: "UTC", createdAt: at("2025-05-01T10:03:07Z") }, "2025-05-01T10:20:00Z", 1)).toEqual(["2025-05-01T10:23:07Z"]);
  });
});

describe("RRULE slots", () => {
  it("DTSTART with TZID sets wall-clock times in that zone, across DST", () => {
    const def = rrule("DTSTART;TZID=America/New_York:20250301T093000\nRRULE:FREQ=WEEKLY;BYDAY=MO,FR");
    expect(validateSchedule(def, at("2025-03-01T00:00:00Z")).timezone).toBe("America/New_York");
    expect(next(def, "2025-03-05T00:00:00Z", 3)).toEqual([
      "2025-03-07T14:30:00Z", // 09:30 EST
      "2025-03-10T13:30:00Z", // 09:30 EDT
      "2025-03-14T13:30:00Z",
    ]);
  });

  it("without DTSTART counts from 2024-01-01 00:00 in the schedule's zone, so the same text means the same times", () => {
    expect(next(rrule("FREQ=DAILY;BYHOUR=9;BYMINUTE=0", "Europe/Berlin"), "2025-07-01T00:00:00Z", 1)).toEqual(["2025-07-01T07:00:00Z"]);
    expect(next(rrule("RRULE:FREQ=WEEKLY", "UTC"), "2025-07-02T00:00:00Z", 1)).toEqual(["2025-07-07T00:00:00Z"]); // a Monday
    expect(next(rrule("FREQ=MINUTELY;INTERVAL=15"), "2026-05-05T10:07:00Z", 2)).toEqual(["2026-05-05T10:15:00Z", "2026-05-05T10:30:00Z"]);
  });

  it("gives the same answers whatever the server process's own time zone is", () => {
    const def = rrule("DTSTART;TZID=Europe/Berlin:20250320T023000\nRRULE:FREQ=DAILY");
    const original = process.env.TZ;
    const results = ["Asia/Tokyo", "America/Los_Angeles", "UTC"].map((tz) => {
      process.env.TZ = tz;
      return next(def, "2025-03-28T12:00:00Z", 3);
    });
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
    expect(results[0]).toEqual(results[1]);
    expect(results[1]).toEqual(results[2]);
  });

  // RFC 5545 §3.3.5: a local time in the spring-forward gap is read with the offset before the gap.
  it("Berlin: a daily 02:30 runs at 03:30 CEST on spring-forward, once at the first 02:30 on fall-back", () => {
    const def = rrule("DTSTART;TZID=Europe/Berlin:20250101T023000\nRRULE:FREQ=DAILY");
    expect(between(def, "2025-03-28T12:00:00Z", "2025-03-31T12:00:00Z")).toEqual(["2025-03-29T01:30:00Z", "2025-03-30T01:30:00Z", "2025-03-31T00:30:00Z"]);
    expect(between(def, "2025-10-25T12:00:00Z", "2025-10-27T12:00:00Z")).toEqual(["2025-10-26T00:30:00Z", "2025-10-27T01:30:00Z"]);
  });

  it("New York: the same rules on its own dates", () => {
    const def = rrule("RRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=30", "America/New_York");
    expect(between(def, "2025-03-08T00:00:00Z", "2025-03-10T12:00:00Z")).toEqual(["2025-03-08T07:30:00Z", "2025-03-09T07:30:00Z", "2025-03-10T06:30:00Z"]);
    const fall = rrule("DTSTART;TZID=America/New_York:20250101T013000\nRRULE:FREQ=DAILY");
    expect(between(fall, "2025-11-01T00:00:00Z", "2025-11-03T12:00:00Z")).toEqual(["2025-11-01T05:30:00Z", "2025-11-02T05:30:00Z", "2025-11-03T06:30:00Z"]);
  });

  it("FREQ=HOURLY runs every real hour through both changes (23 and 25 a day), no duplicates", () => {
    const def = rrule("FREQ=HOURLY", "Europe/Berlin");
    const spring = between(def, "2025-03-29T23:00:00Z", "2025-03-30T22:00:00Z");
    const fall = between(def, "2025-10-25T22:00:00Z", "2025-10-26T23:00:00Z");
    expect(spring).toHaveLength(23);
    expect(fall).toHaveLength(25);
    for (const list of [spring, fall]) {
      for (let i = 1; i < list.length; i++) expect(Date.parse(list[i]) - Date.parse(list[i - 1])).toBe(3_600_000);
    }
  });

  it("DTSTART in UTC, UNTIL, COUNT, EXDATE and RDATE", () => {
    // A UTC DTSTART is that instant; later occurrences keep its local time in the schedule's zone.
    expect(next(rrule("DTSTART:20250106T080000Z\nRRULE:FREQ=DAILY;COUNT=3", "Europe/Berlin"), "2025-01-01T00:00:00Z", 5)).toEqual([
      "2025-01-06T08:00:00Z",
      "2025-01-07T08:00:00Z",
      "2025-01-08T08:00:00Z",
    ]);
    expect(next(rrule("DTSTART:20250106T090000\nRRULE:FREQ=DAILY;UNTIL=20250108T090000Z"), "2025-01-01T00:00:00Z", 5)).toEqual([
      "2025-01-06T09:00:00Z",
      "2025-01-07T09:00:00Z",
      "2025-01-08T09:00:00Z",
    ]);
    const holidays = rrule(
      "DTSTART;TZID=Europe/Berlin:20251222T090000\nRRULE:FREQ=DAILY\nEXDATE;TZID=Europe/Berlin:20251224T090000,20251225T090000\nRDATE;TZID=Europe/Berlin:20251224T070000",
      "Europe/Berlin",
    );
    expect(next(holidays, "2025-12-21T00:00:00Z", 5)).toEqual([
      "2025-12-22T08:00:00Z",
      "2025-12-23T08:00:00Z",
      "2025-12-24T06:00:00Z",
      "2025-12-26T08:00:00Z",
      "2025-12-27T08:00:00Z",
    ]);
    const c = compileSchedule(holidays);
    expect(c.latest(at("2025-12-26T07:00:00Z"), null)?.toISOString()).toBe("2025-12-24T06:00:00.000Z");
  });

  it("matches rrule's own iteration from the original DTSTART (long-running rules restart near the query)", () => {
    const rules = [
      "FREQ=MINUTELY;INTERVAL=7",
      "FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,17",
      "FREQ=MINUTELY;INTERVAL=120;BYHOUR=1,4,9",
      "FREQ=MINUTELY;INTERVAL=7;BYDAY=MO",
      "FREQ=HOURLY;INTERVAL=5",
      "FREQ=HOURLY;INTERVAL=3;BYDAY=MO,TH;BYMINUTE=15,45",
      "FREQ=DAILY;INTERVAL=3;BYHOUR=6,18",
      "FREQ=DAILY;BYSETPOS=-1;BYHOUR=8,12,16",
      "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SA",
      "FREQ=WEEKLY;INTERVAL=3;WKST=SU;BYDAY=SU,MO",
      "FREQ=MONTHLY;BYMONTHDAY=-1",
      "FREQ=MONTHLY;INTERVAL=5;BYDAY=2WE",
      "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
      "FREQ=MONTHLY;INTERVAL=2",
      "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
      "FREQ=YEARLY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=29",
    ];
    const starts = ["20230117T131710", "20240229T000000", "20220731T235959"];
    for (const text of rules) {
      for (const start of starts) {
        const def = rrule(`DTSTART:${start}\nRRULE:${text}`);
        const startMs = Date.UTC(+start.slice(0, 4), +start.slice(4, 6) - 1, +start.slice(6, 8), +start.slice(9, 11), +start.slice(11, 13), +start.slice(13, 15));
        const plain = new RRule({ ...RRule.parseString(text), dtstart: new Date(startMs) });
        // Far enough from DTSTART that the rule is restarted, near enough that plain iteration is quick.
        const from = new Date(startMs + (text.includes("MINUTELY") ? 10 : text.includes("HOURLY") ? 100 : 4000) * 86_400_000 * (text.includes("YEARLY") ? 3 : 1));
        const expected = [];
        for (let d = plain.after(from); d && expected.length < 12; d = plain.after(d)) expected.push(d.toISOString());
        let actual: string[] = [];
        try {
          actual = slotsAfter(compileSchedule(def), from, 12).map((d) => d.toISOString());
        } catch (err) {
          // A rule that never matches again may also be refused as too sparse.
          if (!(err instanceof AppError) || expected.length) throw err;
        }
        expect(actual, `${text} from ${start}`).toEqual(expected);
      }
    }
  });
});

describe("validation", () => {
  it("refuses a bad cron, time zone, RRULE or interval with a message that says what to fix", () => {
    expect(badRequest(() => validateSchedule(cron("61 * * * *")))).toMatch(/Invalid cron expression "61 \* \* \* \*": .*minute.*Use five fields/);
    expect(badRequest(() => validateSchedule(cron("every day")))).toMatch(/Invalid cron expression/);
    expect(badRequest(() => validateSchedule(cron("0 0 30 2 *")))).toMatch(/never matches a date/);
    expect(badRequest(() => validateSchedule(cron("0 9 * * *", "Mars/Olympus")))).toBe(
      'Unknown time zone "Mars/Olympus". Use an IANA name such as "Europe/Berlin", "America/New_York" or "UTC".',
    );
    expect(badRequest(() => validateSchedule(rrule("FREQ=SOMETIMES")))).toMatch(/Invalid RRULE: FREQ is missing or unknown; use one of YEARLY/);
    expect(badRequest(() => validateSchedule(rrule("FREQ=DAILY;BYHOUR=25")))).toMatch(/BYHOUR=25 is out of range \(0\.\.23\)/);
    expect(badRequest(() => validateSchedule(rrule("FREQ=DAILY;BYDAY=XX")))).toMatch(/BYDAY takes MO, TU/);
    expect(badRequest(() => validateSchedule(rrule("FREQ=DAILY;COLOR=blue")))).toMatch(/Unknown RRULE property 'COLOR'/);
    expect(badRequest(() => validateSchedule(rrule("DTSTART:20250101T090000")))).toMatch(/there is no RRULE line/);
    expect(badRequest(() => validateSchedule(rrule("DTSTART:2025-01-01\nRRULE:FREQ=DAILY")))).toMatch(/DTSTART "2025-01-01" is not a date such as 20250101T090000/);
    expect(badRequest(() => validateSchedule(rrule("RRULE:FREQ=DAILY;COUNT=5")))).toMatch(/COUNT needs a DTSTART/);
    expect(badRequest(() => validateSchedule(rrule("DTSTART;TZID=Europe/Berlin:20250101T090000\nRRULE:FREQ=DAILY", "Asia/Tokyo")))).toMatch(
      /TZID \(Europe\/Berlin\) differs from the schedule's timezone \(Asia\/Tokyo\)/,
    );
    expect(badRequest(() => validateSchedule(rrule("DTSTART;TZID=Nowhere/Land:20250101T090000\nRRULE:FREQ=DAILY")))).toMatch(/unknown TZID "Nowhere\/Land"/);
    expect(badRequest(() => validateSchedule(rrule("FREQ=SECONDLY")))).toMatch(/6-field cron/);
    expect(badRequest(() => validateSchedule(rrule("FREQ=MINUTELY;INTERVAL=45;BYHOUR=9,17")))).toMatch(/INTERVAL that divides an hour/);
    expect(badRequest(() => validateSchedule({ kind: "interval", intervalSeconds: 0, timezone: "UTC", createdAt: new Date() }))).toMatch(/whole number of seconds/);
  });

  it("refuses, quickly, RRULEs that never match, including ones rrule itself would loop on forever", () => {
    for (const text of ["FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=MINUTELY;BYMONTH=4;BYMONTHDAY=31", "FREQ=HOURLY;INTERVAL=2;BYHOUR=1", "FREQ=MINUTELY;INTERVAL=120;BYHOUR=1"]) {
      const started = performance.now();
      expect(badRequest(() => validateSchedule(rrule(`DTSTART:20250101T000000\nRRULE:${text}`), at("2025-06-01T00:00:00Z"))), text).toMatch(/matches no time|produces no times/);
      expect(performance.now() - started).toBeLessThan(5_000);
    }
  });

  it("accepts an RRULE whose COUNT has run out (it simply has no next time)", () => {
    const c = validateSchedule(rrule("DTSTART:20200101T000000Z\nRRULE:FREQ=DAILY;COUNT=3"), at("2025-01-01T00:00:00Z"));
    expect(slotsAfter(c, at("2025-01-01T00:00:00Z"), 1)).toEqual([]);
  });

  it("describeNext previews the next n times", () => {
    expect(iso(describeNext(cron("0 9 * * 1", "Europe/Berlin"), 3, at("2025-03-20T00:00:00Z")))).toEqual([
      "2025-03-24T08:00:00Z",
      "2025-03-31T07:00:00Z",
      "2025-04-07T07:00:00Z",
    ]);
    expect(iso(describeNext({ kind: "interval", intervalSeconds: 3600, timezone: "UTC" }, 2, at("2025-03-20T10:15:00.400Z")))).toEqual([
      "2025-03-20T11:15:00Z",
      "2025-03-20T12:15:00Z",
    ]);
    expect(() => describeNext(cron("nope"), 3)).toThrow(AppError);
  });
});

describe("fill policy (pure)", () => {
  const now = at("2025-06-02T10:00:30Z"); // a Monday
  const plan = (def: ScheduleDefinition, filledUntil: Date | null = null) => planFill(compileSchedule(def), filledUntil, now);

  it("fills until ≥ 3 runs and ≥ 1 hour ahead, capped at 100 runs and 7 days", () => {
    expect(plan(cron("* * * * *"))?.slots).toHaveLength(60); // 10:01 … 11:00
    expect(plan(cron("*/20 * * * *"))?.slots).toHaveLength(3); // 10:20, 10:40, 11:00
    expect(plan(cron("* * * * * *"))?.slots).toHaveLength(FILL_POLICY.maxRuns);
    expect(plan(cron("0 9 * * *"))?.slots).toHaveLength(3); // three days
    expect(iso(plan(cron("0 9 * * 1"))!.slots)).toEqual(["2025-06-09T09:00:00Z"]); // only one within 7 days
    expect(plan(cron("0 9 1 1 *"))).toBeNull(); // next January: nothing within 7 days yet
  });

  it("continues from filledUntil and does nothing while far enough ahead", () => {
    const def = cron("*/10 * * * *");
    const first = plan(def)!;
    expect(iso(first.slots)[0]).toBe("2025-06-02T10:10:00Z");
    expect(iso([first.filledUntil])).toEqual(["2025-06-02T11:00:00Z"]);
    expect(plan(def, first.filledUntil)).toBeNull();
    const later = planFill(compileSchedule(def), first.filledUntil, at("2025-06-02T10:10:30Z"))!;
    expect(iso(later.slots)).toEqual(["2025-06-02T11:10:00Z"]);
  });

  it("after downtime creates only the latest missed slot, then continues from now", () => {
    const result = plan(cron("*/10 * * * *"), at("2025-06-01T08:00:00Z"))!;
    expect(iso(result.slots).slice(0, 2)).toEqual(["2025-06-02T10:00:00Z", "2025-06-02T10:10:00Z"]);
    expect(result.slots).toHaveLength(1 + 6);
  });
});
