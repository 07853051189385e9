import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { olderRunCounts } from "../server/dashboard/older-run-counts";
import { workspaceSummary } from "../server/dashboard/workspace-summary";
import { agents, flowRuns, flows, workPools } from "../server/db/schema";
import { uuidv7 } from "../server/db/uuidv7";
import { eq } from "drizzle-orm";
import { waitFor } from "./helpers/app-process";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers } from "./helpers/fixtures";

const { db } = await createTestDatabase();
const HOUR = 3_600_000;

/** A workspace with runs inserted as they would stand: each with a state, start/end and due time. */
async function seed(now: number) {
  const w = await createWorkspaceWithMembers(db);
  const [flow] = await db.insert(flows).values({ workspaceId: w.ws.id, name: `etl-${randomBytes(3).toString("hex")}` }).returning();
  const run = (stateType: string, stateName: string, at: number, extra: Record<string, unknown> = {}) =>
    db.insert(flowRuns).values({
      id: uuidv7(at - HOUR),
      workspaceId: w.ws.id,
      flowId: flow.id,
      name: `${stateName}-${randomBytes(2).toString("hex")}`,
      stateType: stateType as "COMPLETED",
      stateName,
      scheduledTime: new Date(at),
      ...extra,
    });
  await run("COMPLETED", "Completed", now - 2 * HOUR, { startTime: new Date(now - 2 * HOUR), endTime: new Date(now - 2 * HOUR + 60_000) });
  await run("COMPLETED", "Completed", now - 2 * HOUR, { startTime: new Date(now - 2 * HOUR + 1000), endTime: new Date(now - 2 * HOUR + 60_000) });
  await run("FAILED", "Failed", now - HOUR, { startTime: new Date(now - HOUR), endTime: new Date(now - HOUR + 5000), stateMessage: "boom: disk full" });
  await run("CRASHED", "Crashed", now - 3 * 86_400_000, { startTime: new Date(now - 3 * 86_400_000), endTime: new Date(now - 3 * 86_400_000 + 5000), stateMessage: "Agent stopped heartbeating" });
  await run("SCHEDULED", "Late", now - 60_000);
  await run("SCHEDULED", "Scheduled", now + HOUR);
  const [pool] = await db.select().from(workPools).where(eq(workPools.workspaceId, w.ws.id));
  await db.insert(agents).values({ workspaceId: w.ws.id, workPoolId: pool.id, name: "online", lastHeartbeatAt: new Date() });
  await db.insert(agents).values({ workspaceId: w.ws.id, workPoolId: pool.id, name: "gone", lastHeartbeatAt: new Date(now - 10 * 60_000) });
  return { w, flow };
}

describe("workspaceSummary (the dashboard)", () => {
  it("counts runs by hour and day and state, failures, late runs and agents, for its own workspace only", async () => {
    const now = Date.now();
    const { w, flow } = await seed(now);
    await seed(now); // another workspace's runs must not count
    const s = await workspaceSummary(db, w.ws.id, new Date(now));
    const sum = (buckets: typeof s.hours, type: string) => buckets.reduce((n, b) => n + ((b.counts as Record<string, number>)[type] ?? 0), 0);
    expect(s.hours).toHaveLength(24);
    expect(s.days).toHaveLength(7);
    expect(sum(s.hours, "COMPLETED")).toBe(2);
    expect(sum(s.hours, "FAILED")).toBe(1);
    expect(sum(s.hours, "CRASHED")).toBe(0);
    expect(sum(s.days, "CRASHED")).toBe(1);
    expect(sum(s.days, "COMPLETED")).toBe(2);
    // The two completed runs sit in the bucket of two hours ago.
    expect(s.hours[23 - 2].counts.COMPLETED ?? s.hours[23 - 3].counts.COMPLETED).toBe(2);
    expect([s.failed24h, s.crashed24h, s.lateNow]).toEqual([1, 0, 1]);
    expect([s.agentsOnline, s.agentsTotal]).toEqual([1, 2]);
    expect(s.setup).toEqual({ hasKey: false, hasDeployment: false, hasAgent: true, hasRun: true });
    expect(s.nextRuns.map((r) => r.flowName)).toEqual([flow.name]);
    expect(s.recentFailures.map((f) => [f.stateName, f.message])).toEqual([
      ["Failed", "boom: disk full"],
      ["Crashed", "Agent stopped heartbeating"],
    ]);
  });

  it("the older days' counts are cached: shown stale for up to 5 minutes, then recounted in the background, recounted in the foreground after an hour", async () => {
    const now = Date.now();
    const { w, flow } = await seed(now);
    const from = new Date(now - 7 * 86_400_000);
    const to = new Date(now - 86_400_000);
    const total = async (at: number) => (await olderRunCounts(db, w.ws.id, from, to, at)).reduce((n, r) => n + r.n, 0);
    expect(await total(now)).toBe(1);
    await db.insert(flowRuns).values({ id: uuidv7(now - 3 * 86_400_000), workspaceId: w.ws.id, flowId: flow.id, name: "late-arrival", stateType: "COMPLETED", stateName: "Completed", scheduledTime: new Date(now - 3 * 86_400_000), startTime: new Date(now - 3 * 86_400_000) });
    expect(await total(now + 60_000)).toBe(1);
    // Past 5 minutes: the cached answer at once, and a recount starts…
    expect(await total(now + 6 * 60_000)).toBe(1);
    // …whose answer a later load gets.
    await waitFor(async () => (await total(now + 6 * 60_000 + 1)) === 2, { timeoutMs: 5_000, what: "the background recount" });
    await db.insert(flowRuns).values({ id: uuidv7(now - 4 * 86_400_000), workspaceId: w.ws.id, flowId: flow.id, name: "another", stateType: "FAILED", stateName: "Failed", scheduledTime: new Date(now - 4 * 86_400_000), startTime: new Date(now - 4 * 86_400_000) });
    // An hour on, the load waits for a fresh count.
    expect(await total(now + 2 * 3_600_000)).toBe(3);
  });
});
