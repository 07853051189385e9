import { describe, expect, it } from "vitest";
import { AppError } from "../server/errors";
import { previewSchedule, schedulePreviewInputSchema } from "../server/scheduling/preview-schedule";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers } from "./helpers/fixtures";

const { db } = await createTestDatabase();
const preview = (input: Record<string, unknown>, now: string) => previewSchedule(schedulePreviewInputSchema.parse(input), new Date(now));

function errorOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    return err as AppError;
  }
  throw new Error("expected an error");
}

describe("deployments.previewSchedule", () => {
  it("cron in Europe/Berlin across the spring-forward night: 02:30 runs once, right after the jump", () => {
    const { times, timezone } = preview({ kind: "cron", cron: "30 2 * * *", timezone: "Europe/Berlin" }, "2026-03-27T12:00:00Z");
    expect(timezone).toBe("Europe/Berlin");
    expect(times).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:00:00.000Z", // 02:30 does not exist: 03:00 CEST
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
      "2026-03-31T00:30:00.000Z",
      "2026-04-01T00:30:00.000Z",
    ]);
  });

  it("cron in Europe/Berlin across the fall-back night: 02:30 runs once, at its first occurrence", () => {
    const { times } = preview({ kind: "cron", cron: "30 2 * * *", timezone: "Europe/Berlin", count: 3 }, "2026-10-24T12:00:00Z");
    expect(times).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z", "2026-10-27T01:30:00.000Z"]);
  });

  it("interval: from its anchor, in elapsed time", () => {
    const { times } = preview({ kind: "interval", intervalSeconds: 3600, anchor: "2026-01-01T00:15:00Z" }, "2026-05-01T10:20:00Z");
    expect(times).toEqual(["2026-05-01T11:15:00.000Z", "2026-05-01T12:15:00.000Z", "2026-05-01T13:15:00.000Z", "2026-05-01T14:15:00.000Z", "2026-05-01T15:15:00.000Z"]);
  });

  it("rrule: weekly on Monday at 09:00 in New York", () => {
    const { times } = preview({ kind: "rrule", rrule: "RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0", timezone: "America/New_York", count: 2 }, "2026-03-04T00:00:00Z");
    // 2026-03-09 is the Monday after the US switch to EDT (-4), 2026-03-16 too.
    expect(times).toEqual(["2026-03-09T13:00:00.000Z", "2026-03-16T13:00:00.000Z"]);
  });

  it("invalid input is BAD_REQUEST with an error on the field that is wrong", () => {
    const cron = errorOf(() => preview({ kind: "cron", cron: "61 * * * *" }, "2026-01-01T00:00:00Z"));
    expect(cron.code).toBe("BAD_REQUEST");
    expect(cron.details?.fieldErrors).toEqual({ cron: [expect.stringContaining('Invalid cron expression "61 * * * *"')] });
    const zone = errorOf(() => preview({ kind: "cron", cron: "0 9 * * *", timezone: "Mars/Olympus" }, "2026-01-01T00:00:00Z"));
    expect(zone.details?.fieldErrors).toEqual({ timezone: [expect.stringContaining("Unknown time zone")] });
    const rrule = errorOf(() => preview({ kind: "rrule", rrule: "RRULE:FREQ=SOMETIMES" }, "2026-01-01T00:00:00Z"));
    expect(Object.keys(rrule.details?.fieldErrors as object)).toEqual(["rrule"]);
    const interval = errorOf(() => preview({ kind: "interval", intervalSeconds: 0 }, "2026-01-01T00:00:00Z"));
    expect(Object.keys(interval.details?.fieldErrors as object)).toEqual(["intervalSeconds"]);
  });

  it("through tRPC: any member may preview; errors carry the field", async () => {
    const { ws, members } = await createWorkspaceWithMembers(db, ["viewer"]);
    const ok = await members.viewer.caller.deployments.previewSchedule({ workspace: ws.slug, kind: "interval", intervalSeconds: 60 });
    expect(ok.times).toHaveLength(5);
    const err = await members.viewer.caller.deployments.previewSchedule({ workspace: ws.slug, kind: "cron", cron: "not a cron" }).catch((e) => e);
    expect(err.code).toBe("BAD_REQUEST");
    expect((err.cause as AppError).details?.fieldErrors).toHaveProperty("cron");
  });
});
