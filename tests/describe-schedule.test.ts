import { describe, expect, it } from "vitest";
import { describeCron, describeInterval, describeRrule, describeSchedule } from "../app/w/[slug]/deployments/describe-schedule";

describe("schedules in words", () => {
  it("cron", () => {
    expect(describeCron("0 9 * * *")).toBe("every day at 09:00");
    expect(describeCron("30 6 * * 1-5")).toBe("at 06:30 on weekdays");
    expect(describeCron("0 8 * * 1")).toBe("at 08:00 on Monday");
    expect(describeCron("*/15 * * * *")).toBe("every 15 minutes");
    expect(describeCron("0 * * * *")).toBe("every hour");
    expect(describeCron("5 */2 * * *")).toBe("every 2 hours at minute 5");
    expect(describeCron("0 3 1 * *")).toBe("at 03:00 on the 1st of every month");
    expect(describeCron("0 0 25 12 *")).toBe("every year on December 25 at 00:00");
    expect(describeCron("0 9-17 * * *")).toBe("cron 0 9-17 * * *");
  });
  it("interval", () => {
    expect(describeInterval(3600)).toBe("every 1 hour");
    expect(describeInterval(5400)).toBe("every 90 minutes");
    expect(describeInterval(172_800)).toBe("every 2 days");
    expect(describeInterval(45)).toBe("every 45 seconds");
  });
  it("rrule and the zone", () => {
    expect(describeRrule("RRULE:FREQ=WEEKLY;BYDAY=MO,FR")).toBe("every week on Monday, Friday");
    expect(describeSchedule({ kind: "cron", cron: "0 9 * * *", intervalSeconds: null, rrule: null, timezone: "Europe/Berlin" })).toBe("every day at 09:00 Europe/Berlin");
    expect(describeSchedule({ kind: "interval", cron: null, intervalSeconds: 3600, rrule: null, timezone: "UTC" })).toBe("every 1 hour");
  });
});
