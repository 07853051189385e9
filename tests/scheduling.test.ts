import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { ScheduleInput } from "../agent/protocol/deployments";
import { createDb, type Db } from "../server/db/client";
import { deployments, flows, schedules, workPools } from "../server/db/schema";
import { AppError } from "../server/errors";
import { fillSchedules } from "../server/scheduling/fill-schedules";
import { removeFutureRuns, replaceSchedules } from "../server/scheduling/replace-schedules";
import { compileSchedule, slotsAfter } from "../server/scheduling/schedule-slots";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers, TEST_ACTOR } from "./helpers/fixtures";

const { db, url } = await createTestDatabase();

const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (s: string) => new Date(s);
const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);

async function makeDeployment(workspaceId: string, opts: { parameters?: Record<string, unknown>; tags?: string[] } = {}) {
  const [pool] = await db.select().from(workPools).where(and(eq(workPools.workspaceId, workspaceId), eq(workPools.name, "default")));
  const [flow] = await db.insert(flows).values({ workspaceId, name: `flow-${randomBytes(4).toString("hex")}` }).returning();
  const [deployment] = await db
    .insert(deployments)
    .values({
      workspaceId,
      flowId: flow.id,
      name: "nightly",
      kind: "command",
      command: "echo hi",
      workPoolId: pool.id,
      parameters: opts.parameters ?? { region: "eu", size: 1 },
      tags: opts.tags ?? ["etl"],
    })
    .returning();
  return { deployment, pool, flow };
}

async function setSchedules(workspaceId: string, deploymentId: string, inputs: ScheduleInput[], now: Date) {
  return db.transaction((tx) => replaceSchedules(tx, { workspaceId, deploymentId, schedules: inputs, now, actor: TEST_ACTOR, deploymentLabel: "test/test" }));
}

type RunRow = { id: string; schedule_id: string | null; slot_time: Date; scheduled_time: Date; state_type: string; state_name: string; attempt: number };

async function runsOf(deploymentId: string): Promise<RunRow[]> {
  const { rows } = await db.$client.query<RunRow>(
    "select id, schedule_id, slot_time, scheduled_time, state_type, state_name, attempt from flow_runs where deployment_id = $1 order by slot_time",
    [deploymentId],
  );
  return rows;
}

const isoList = (dates: Date[]) => dates.map((d) => d.toISOString());

describe("fillSchedules", () => {
  it("two schedulers at once over 200 cron schedules for a simulated day (through Berlin's fall-back): every slot exactly once", { timeout: 240_000 }, async () => {
    const db2: Db = createDb(url, 5);
    try {
      const { ws } = await createWorkspaceWithMembers(db);
      const t0 = at("2025-10-25T12:00:00Z");
      const zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"];
      const patterns = (i: number) => [`${i % 60} * * * *`, `*/${[5, 10, 15, 20, 30][i % 5]} * * * *`, `${i % 60} ${i % 24} * * *`, `0 */${[2, 3, 4, 6][i % 4]} * * *`, "30 2 * * *", "*/7 9-17 * * 1-5"][i % 6];
      const created: { id: string; cron: string; timezone: string; deploymentId: string }[] = [];
      for (let d = 0; d < 20; d++) {
        const { deployment } = await makeDeployment(ws.id);
        const inputs: ScheduleInput[] = Array.from({ length: 10 }, (_, j) => {
          const i = d * 10 + j;
          return { kind: "cron", cron: patterns(i), timezone: zones[Math.floor(i / 6) % zones.length], parameters: { i } };
        });
        const result = await setSchedules(ws.id, deployment.id, inputs, t0);
        for (const s of result.schedules) created.push({ id: s.id, cron: s.cron!, timezone: s.timezone, deploymentId: deployment.id });
      }

      let reported = 0;
      const end = plus(t0, 24 * HOUR);
      for (let now = t0; now <= end; now = plus(now, 5 * MIN)) {
        const [a, b] = await Promise.all([fillSchedules(db, { now }), fillSchedules(db2, { now })]);
        reported += a.runsCreated + b.runsCreated;
      }

      const { rows } = await db.$client.query<{ schedule_id: string; slot_time: Date; scheduled_time: Date; n_states: number; parameters: Record<string, unknown>; tags: string[]; created_by: string; auto_scheduled: boolean; work_pool_id: string }>(
        `select r.schedule_id, r.slot_time, r.scheduled_time, r.parameters, r.tags, r.created_by, r.auto_scheduled, r.work_pool_id,
                (select count(*)::int from flow_run_states h where h.flow_run_id = r.id and h.type = 'SCHEDULED' and h.name = 'Scheduled' and h.attempt = 0) as n_states
           from flow_runs r where r.workspace_id = $1 order by r.schedule_id, r.slot_time`,
        [ws.id],
      );
      expect(rows.length).toBe(reported);
      expect(rows.every((r) => r.n_states === 1 && r.scheduled_time.getTime() === r.slot_time.getTime())).toBe(true);
      expect(rows.every((r) => r.created_by === "scheduler" && r.auto_scheduled && r.tags.join() === "etl" && r.parameters.region === "eu")).toBe(true);

      const filled = new Map((await db.select().from(schedules).where(eq(schedules.workspaceId, ws.id))).map((s) => [s.id, s]));
      const bySchedule = new Map<string, string[]>();
      for (const r of rows) bySchedule.set(r.schedule_id, [...(bySchedule.get(r.schedule_id) ?? []), r.slot_time.toISOString()]);
      for (const s of created) {
        const compiled = compileSchedule({ kind: "cron", cron: s.cron, timezone: s.timezone });
        const until = filled.get(s.id)!.filledUntil!;
        // Filled ahead of the last tick: ≥ 1 hour and ≥ 3 runs beyond it.
        expect(slotsAfter(compiled, until, 1)[0].getTime(), `${s.cron} ${s.timezone}`).toBeGreaterThan(end.getTime() + HOUR);
        expect(slotsAfter(compiled, end, 3, until), `${s.cron} ${s.timezone}`).toHaveLength(3);
        // Exactly the slots from the start to there: none missing, none twice.
        expect(bySchedule.get(s.id), `${s.cron} ${s.timezone}`).toEqual(isoList(slotsAfter(compiled, t0, 100_000, until)));
        const params = rows.find((r) => r.schedule_id === s.id)!.parameters;
        expect(params).toEqual({ region: "eu", size: 1, i: created.indexOf(s) });
      }
      // Berlin's 02:30 ran once on the night the clocks went back.
      const berlin = created.find((s) => s.cron === "30 2 * * *" && s.timezone === "Europe/Berlin")!;
      expect(bySchedule.get(berlin.id)!.filter((t) => t.startsWith("2025-10-26"))).toEqual(["2025-10-26T00:30:00.000Z"]);
    } finally {
      await db2.$client.end();
    }
  });

  it("keeps within the bounds: ≥ 3 runs and ≥ 1 hour ahead, ≤ 100 runs and ≤ 7 days", async () => {
    const { ws } = await createWorkspaceWithMembers(db);
    const now = at("2025-06-02T10:00:30Z"); // a Monday
    const cases: [string, number][] = [
      ["* * * * *", 60], // every minute to 11:00
      ["* * * * * *", 100], // every second: capped at 100
      ["0 9 * * *", 3], // daily: 3 runs, 3 days
      ["0 9 * * 1", 1], // weekly: the one within 7 days
      ["0 9 1 1 *", 0], // yearly: none yet
    ];
    for (const [cron, expected] of cases) {
      const { deployment } = await makeDeployment(ws.id);
      await setSchedules(ws.id, deployment.id, [{ kind: "cron", cron }], now);
      await fillSchedules(db, { now });
      const runs = await runsOf(deployment.id);
      expect(runs, cron).toHaveLength(expected);
      for (const r of runs) {
        expect(r.slot_time.getTime()).toBeGreaterThan(now.getTime());
        expect(r.slot_time.getTime()).toBeLessThanOrEqual(now.getTime() + 7 * 24 * HOUR);
      }
    }
    // A second tick at the same time changes nothing.
    expect(await fillSchedules(db, { now })).toEqual({ schedules: 0, runsCreated: 0 });
  });

  it("after downtime creates only the latest missed slot, due at once, then continues from now", async () => {
    const { ws } = await createWorkspaceWithMembers(db);
    const { deployment } = await makeDeployment(ws.id);
    const t0 = at("2025-06-02T10:00:30Z");
    await setSchedules(ws.id, deployment.id, [{ kind: "cron", cron: "*/10 * * * *" }], t0);
    await fillSchedules(db, { now: t0 });
    expect(isoList((await runsOf(deployment.id)).map((r) => r.slot_time))).toEqual(
      ["10:10", "10:20", "10:30", "10:40", "10:50", "11:00"].map((t) => `2025-06-02T${t}:00.000Z`),
    );
    // Down for five hours.
    const back = at("2025-06-02T16:04:00Z");
    await fillSchedules(db, { now: back });
    const slots = isoList((await runsOf(deployment.id)).map((r) => r.slot_time)).filter((t) => t > "2025-06-02T11:00:00.000Z");
    expect(slots).toEqual(["16:00", "16:10", "16:20", "16:30", "16:40", "16:50", "17:00"].map((t) => `2025-06-02T${t}:00.000Z`));
  });

  it("skips paused deployments and inactive schedules", async () => {
    const { ws } = await createWorkspaceWithMembers(db);
    const now = at("2025-06-02T10:00:30Z");
    const paused = await makeDeployment(ws.id);
    await setSchedules(ws.id, paused.deployment.id, [{ kind: "cron", cron: "*/10 * * * *" }], now);
    await db.update(deployments).set({ paused: true }).where(eq(deployments.id, paused.deployment.id));
    const inactive = await makeDeployment(ws.id);
    await setSchedules(ws.id, inactive.deployment.id, [{ kind: "cron", cron: "*/10 * * * *", active: false }], now);
    await fillSchedules(db, { now });
    expect(await runsOf(paused.deployment.id)).toEqual([]);
    expect(await runsOf(inactive.deployment.id)).toEqual([]);
  });

  it("wakes each affected pool's agents once per fill", async () => {
    const { ws } = await createWorkspaceWithMembers(db);
    const { deployment, pool } = await makeDeployment(ws.id);
    const now = at("2025-06-02T10:00:30Z");
    await setSchedules(ws.id, deployment.id, [{ kind: "cron", cron: "*/10 * * * *" }, { kind: "interval", intervalSeconds: 600 }], now);
    const listener = await db.$client.connect();
    const payloads: string[] = [];
    listener.on("notification", (n) => n.channel === "baton_dispatch" && payloads.push(n.payload!));
    try {
      await listener.query("listen baton_dispatch");
      await fillSchedules(db, { now });
      const deadline = Date.now() + 5_000;
      while (!payloads.includes(pool.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(payloads.filter((p) => p === pool.id)).toEqual([pool.id]);
    } finally {
      await listener.query("unlisten baton_dispatch");
      listener.release();
    }
  });
});

describe("replaceSchedules and removeFutureRuns", () => {
  it("editing a schedule removes its future runs; unchanged schedules keep theirs; deploying the same again changes nothing", async () => {
    const { ws } = await createWorkspaceWithMembers(db);
    const { deployment } = await makeDeployment(ws.id);
    const now = at("2025-06-02T10:00:30Z");
    const keep: ScheduleInput = { kind: "cron", cron: "0 * * * *", timezone: "Europe/Berlin" };
    const edit: ScheduleInput = { kind: "interval", intervalSeconds: 900 };
    const first = await setSchedules(ws.id, deployment.id, [keep, edit], now);
    expect(first.changed).toBe(true);
    await fillSchedules(db, { now });
    const before = await runsOf(deployment.id);
    const keptRuns = before.filter((r) => r.schedule_id === first.schedules[0].id).map((r) => r.id);
    const editedRuns = before.filter((r) => r.schedule_id === first.schedules[1].id);
    expect(keptRuns.length).toBeGreaterThanOrEqual(3);
    expect(editedRuns.length).toBeGreaterThanOrEqual(4);
    // One run of the edited schedule was already claimed: it stays, whatever happens to its schedule.
    await db.$client.query("update flow_runs set state_type = 'PENDING', state_name = 'Pending', attempt = 1 where id = $1", [editedRuns[0].id]);

    // The same again (the interval without an anchor matches its stored one): nothing changes.
    const same = await setSchedules(ws.id, deployment.id, [keep, edit], plus(now, MIN));
    expect(same.changed).toBe(false);
    expect(same.schedules.map((s) => s.id)).toEqual(first.schedules.map((s) => s.id));
    expect((await runsOf(deployment.id)).map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());

    const second = await setSchedules(ws.id, deployment.id, [keep, { ...edit, intervalSeconds: 1800 }], plus(now, MIN));
    expect(second.changed).toBe(true);
    expect(second.schedules[0].id).toBe(first.schedules[0].id);
    expect(second.schedules[1].id).not.toBe(first.schedules[1].id);
    expect(second.schedules[1].intervalSeconds).toBe(1800);
    const after = await runsOf(deployment.id);
    expect(after.filter((r) => r.schedule_id === first.schedules[0].id).map((r) => r.id)).toEqual(keptRuns);
    // The edited schedule's unstarted runs are gone; the claimed one stays (its schedule is gone, so schedule_id is null).
    expect(after.filter((r) => r.schedule_id !== first.schedules[0].id).map((r) => [r.id, r.state_type, r.schedule_id])).toEqual([[editedRuns[0].id, "PENDING", null]]);
    const [{ n }] = (await db.$client.query("select count(*)::int as n from schedules where id = $1", [first.schedules[1].id])).rows;
    expect(n).toBe(0);

    // The new schedule fills on the next tick.
    await fillSchedules(db, { now: plus(now, 2 * MIN) });
    expect((await runsOf(deployment.id)).filter((r) => r.schedule_id === second.schedules[1].id).length).toBeGreaterThanOrEqual(3);

    // Removing all schedules removes all their future runs.
    const none = await setSchedules(ws.id, deployment.id, [], plus(now, 3 * MIN));
    expect(none).toEqual({ schedules: [], changed: true });
    expect((await runsOf(deployment.id)).map((r) => r.state_type)).toEqual(["PENDING"]);
  });

  it("pausing a deployment (removeFutureRuns) removes its unstarted runs, Late ones too; claimed and retrying runs stay; resuming refills from now", async () => {
    const { ws } = await createWorkspaceWithMembers(db);
    const { deployment } = await makeDeployment(ws.id);
    const other = await makeDeployment(ws.id);
    const now = at("2025-06-02T10:00:30Z");
    await setSchedules(ws.id, deployment.id, [{ kind: "cron", cron: "*/10 * * * *" }], now);
    await setSchedules(ws.id, other.deployment.id, [{ kind: "cron", cron: "*/10 * * * *" }], now);
    await fillSchedules(db, { now });
    const runs = await runsOf(deployment.id);
    await db.$client.query("update flow_runs set state_name = 'Late' where id = $1", [runs[0].id]);
    await db.$client.query("update flow_runs set state_type = 'RUNNING', state_name = 'Running', attempt = 1 where id = $1", [runs[1].id]);
    await db.$client.query("update flow_runs set state_name = 'AwaitingRetry', attempt = 1 where id = $1", [runs[2].id]);

    const removed = await db.transaction(async (tx) => {
      await tx.update(deployments).set({ paused: true }).where(eq(deployments.id, deployment.id));
      return removeFutureRuns(tx, { workspaceId: ws.id, deploymentId: deployment.id });
    });
    expect(removed).toBe(runs.length - 2);
    expect((await runsOf(deployment.id)).map((r) => r.id)).toEqual([runs[1].id, runs[2].id]);
    expect((await runsOf(other.deployment.id)).length).toBe(runs.length);
    const [schedule] = await db.select().from(schedules).where(eq(schedules.deploymentId, deployment.id));
    expect(schedule.filledUntil).toBeNull();

    // While paused nothing is filled, however much time passes.
    await fillSchedules(db, { now: plus(now, 3 * HOUR) });
    expect((await runsOf(deployment.id)).length).toBe(2);

    // Resumed: filling starts from now, with no catch-up run for the paused hours.
    await db.update(deployments).set({ paused: false }).where(eq(deployments.id, deployment.id));
    const resumedAt = plus(now, 5 * HOUR);
    await fillSchedules(db, { now: resumedAt });
    const refilled = (await runsOf(deployment.id)).filter((r) => r.state_type === "SCHEDULED" && r.attempt === 0);
    expect(refilled.length).toBe(6);
    expect(refilled.every((r) => r.slot_time > resumedAt)).toBe(true);

    // A foreign workspace id removes nothing.
    const stranger = await createWorkspaceWithMembers(db);
    expect(await db.transaction((tx) => removeFutureRuns(tx, { workspaceId: stranger.ws.id, deploymentId: deployment.id }))).toBe(0);
    expect((await runsOf(deployment.id)).length).toBe(8);
  });

  it("pausing while schedulers fill never leaves future runs behind", { timeout: 120_000 }, async () => {
    const db2: Db = createDb(url, 5);
    try {
      const { ws } = await createWorkspaceWithMembers(db);
      const now = at("2025-06-02T10:00:30Z");
      for (let round = 0; round < 30; round++) {
        const { deployment } = await makeDeployment(ws.id);
        await setSchedules(ws.id, deployment.id, [{ kind: "cron", cron: "* * * * *" }, { kind: "interval", intervalSeconds: 60 }], now);
        await Promise.all([
          fillSchedules(db2, { now }),
          db.transaction(async (tx) => {
            await tx.update(deployments).set({ paused: true }).where(eq(deployments.id, deployment.id));
            await removeFutureRuns(tx, { workspaceId: ws.id, deploymentId: deployment.id });
          }),
        ]);
        expect(await runsOf(deployment.id), `round ${round}`).toEqual([]);
      }
    } finally {
      await db2.$client.end();
    }
  });

  it("refuses bad schedules naming which one and what to fix; adopts an RRULE's TZID as the schedule's zone", async () => {
    const { ws } = await createWorkspaceWithMembers(db);
    const { deployment } = await makeDeployment(ws.id);
    const now = at("2025-06-02T10:00:30Z");
    const refused = async (inputs: ScheduleInput[]) => {
      const err = await setSchedules(ws.id, deployment.id, inputs, now).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("BAD_REQUEST");
      return (err as AppError).message;
    };
    expect(await refused([{ kind: "cron", cron: "0 9 * * *" }, { kind: "cron", cron: "0 25 * * *" }])).toMatch(/^Schedule 2: Invalid cron expression "0 25 \* \* \*"/);
    expect(await refused([{ kind: "cron", cron: "0 9 * * *", timezone: "Europe/Atlantis" }])).toMatch(/^Schedule 1: Unknown time zone "Europe\/Atlantis"\. Use an IANA name/);
    expect(await refused([{ kind: "rrule", rrule: "FREQ=FORTNIGHTLY" }])).toMatch(/^Schedule 1: Invalid RRULE: FREQ is missing or unknown/);
    expect(await refused([{ kind: "cron", cron: "0 9 * * *" }, { kind: "cron", cron: "0 9 * * *" }])).toBe("Schedule 2 repeats schedule 1; remove one of them.");
    expect(await refused([{ kind: "interval", intervalSeconds: -5 } as ScheduleInput])).toMatch(/^Schedule 1: intervalSeconds: /);
    expect(await db.select().from(schedules).where(eq(schedules.deploymentId, deployment.id))).toEqual([]);

    const { schedules: rows } = await setSchedules(ws.id, deployment.id, [{ kind: "rrule", rrule: "DTSTART;TZID=America/New_York:20250101T093000\nRRULE:FREQ=WEEKLY;BYDAY=MO" }], now);
    expect(rows[0].timezone).toBe("America/New_York");
    await fillSchedules(db, { now });
    expect(isoList((await runsOf(deployment.id)).map((r) => r.slot_time))).toEqual(["2025-06-02T13:30:00.000Z"]); // 09:30 EDT today; next Monday is beyond 7 days
    // Sent again the same way, it is unchanged.
    expect((await setSchedules(ws.id, deployment.id, [{ kind: "rrule", rrule: "DTSTART;TZID=America/New_York:20250101T093000\nRRULE:FREQ=WEEKLY;BYDAY=MO" }], now)).changed).toBe(false);
  });
});
