import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../server/db/client";
import { agents, deployments, flows, workPools } from "../server/db/schema";
import { uuidv7 } from "../server/db/uuidv7";
import { claimRuns } from "../server/dispatch/claim-runs";
import { markLateRuns } from "../server/scheduling/mark-late-runs";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers } from "./helpers/fixtures";

const { db, url } = await createTestDatabase();

async function setup() {
  const { ws } = await createWorkspaceWithMembers(db);
  const [pool] = await db.select().from(workPools).where(and(eq(workPools.workspaceId, ws.id), eq(workPools.name, "default")));
  const [flow] = await db.insert(flows).values({ workspaceId: ws.id, name: `flow-${randomBytes(4).toString("hex")}` }).returning();
  const [deployment] = await db.insert(deployments).values({ workspaceId: ws.id, flowId: flow.id, name: "d", kind: "command", command: "true", workPoolId: pool.id }).returning();
  const [agent] = await db.insert(agents).values({ workspaceId: ws.id, workPoolId: pool.id, name: `agent-${randomBytes(3).toString("hex")}` }).returning();
  return { ws, pool, flow, deployment, agent };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** A run as the scheduler leaves it, `secondsAgo` past due (negative: in the future), with its first history row. */
async function insertRun(s: Setup, secondsAgo: number, state: { type: string; name: string; attempt?: number } = { type: "SCHEDULED", name: "Scheduled" }) {
  const id = uuidv7();
  await db.$client.query(
    `with r as (
       insert into flow_runs (id, workspace_id, flow_id, deployment_id, work_pool_id, name, state_type, state_name, scheduled_time, attempt, auto_scheduled)
       values ($1, $2, $3, $4, $5, 'test-run', $6, $7, now() - make_interval(secs => $8), $9, true)
       returning id, workspace_id, state_type, state_name, attempt
     )
     insert into flow_run_states (workspace_id, flow_run_id, type, name, attempt) select workspace_id, id, state_type, state_name, attempt from r`,
    [id, s.ws.id, s.flow.id, s.deployment.id, s.pool.id, state.type, state.name, secondsAgo, state.attempt ?? 0],
  );
  return id;
}

async function stateOf(id: string) {
  const { rows } = await db.$client.query<{ state_type: string; state_name: string }>("select state_type, state_name from flow_runs where id = $1", [id]);
  return `${rows[0].state_type}/${rows[0].state_name}`;
}

async function historyOf(id: string) {
  const { rows } = await db.$client.query<{ type: string; name: string }>("select type, name from flow_run_states where flow_run_id = $1 order by id", [id]);
  return rows.map((r) => `${r.type}/${r.name}`);
}

describe("markLateRuns", () => {
  it("renames only Scheduled runs more than the threshold past due to Late, with history and an event", async () => {
    const s = await setup();
    const overdue = await insertRun(s, 20);
    const recent = await insertRun(s, 10);
    const future = await insertRun(s, -60);
    const retrying = await insertRun(s, 60, { type: "SCHEDULED", name: "AwaitingRetry", attempt: 1 });
    const pending = await insertRun(s, 60, { type: "PENDING", name: "Pending", attempt: 1 });

    const listener = await db.$client.connect();
    const events: { w: string; kind: string; ids: string[] }[] = [];
    listener.on("notification", (n) => n.channel === "baton_events" && events.push(JSON.parse(n.payload!)));
    try {
      await listener.query("listen baton_events");
      expect(await markLateRuns(db, { now: new Date(), thresholdSeconds: 15 })).toBe(1);
      const deadline = Date.now() + 5_000;
      while (!events.some((e) => e.ids.includes(overdue)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(events.filter((e) => e.ids.includes(overdue))).toEqual([{ w: s.ws.id, kind: "flow_run", ids: [overdue] }]);
    } finally {
      await listener.query("unlisten baton_events");
      listener.release();
    }

    expect(await stateOf(overdue)).toBe("SCHEDULED/Late");
    expect(await historyOf(overdue)).toEqual(["SCHEDULED/Scheduled", "SCHEDULED/Late"]);
    for (const [id, state] of [
      [recent, "SCHEDULED/Scheduled"],
      [future, "SCHEDULED/Scheduled"],
      [retrying, "SCHEDULED/AwaitingRetry"],
      [pending, "PENDING/Pending"],
    ]) {
      expect(await stateOf(id)).toBe(state);
      expect(await historyOf(id)).toEqual([state]);
    }
    // Marked once: a second pass changes nothing.
    expect(await markLateRuns(db, { now: new Date(), thresholdSeconds: 15 })).toBe(0);
    expect(await historyOf(overdue)).toHaveLength(2);
    // The clock is injected: seen from 20 s later, the recent one is late too.
    expect(await markLateRuns(db, { now: new Date(Date.now() + 20_000), thresholdSeconds: 15 })).toBe(1);
    expect(await stateOf(recent)).toBe("SCHEDULED/Late");
    // Late runs are still claimable (as is the one awaiting its retry).
    const claimed = await claimRuns(db.$client, { workspaceId: s.ws.id, workPoolId: s.pool.id, agentId: s.agent.id, slots: 10 });
    expect(claimed.runs.map((r) => r.id).sort()).toEqual([overdue, recent, retrying].sort());
  });

  it("never marks a run claimed in the same instant: 200 races of claimRuns against markLateRuns", { timeout: 120_000 }, async () => {
    const s = await setup();
    const markerDb = createDb(url, 3);
    const outcomes = { claimedFirst: 0, markedFirst: 0, markerSkipped: 0 };
    try {
      for (let round = 0; round < 200; round++) {
        const id = await insertRun(s, 30);
        const [claim, marked] = await Promise.all([
          claimRuns(db.$client, { workspaceId: s.ws.id, workPoolId: s.pool.id, agentId: s.agent.id, slots: 1 }),
          markLateRuns(markerDb, { now: new Date(), thresholdSeconds: 15 }),
        ]);
        const state = await stateOf(id);
        const history = await historyOf(id);
        if (claim.runs.some((r) => r.id === id)) {
          // Claimed: PENDING, and Late only ever before the claim, never over it.
          expect(state, `round ${round}`).toBe("PENDING/Pending");
          expect([["SCHEDULED/Scheduled", "PENDING/Pending"], ["SCHEDULED/Scheduled", "SCHEDULED/Late", "PENDING/Pending"]], `round ${round}`).toContainEqual(history);
          if (marked) outcomes.markedFirst++;
          else outcomes.claimedFirst++;
        } else {
          // The claim passed over the row the marker held; it stays claimable, as Late.
          expect(state, `round ${round}`).toBe("SCHEDULED/Late");
          expect(history).toEqual(["SCHEDULED/Scheduled", "SCHEDULED/Late"]);
          outcomes.markerSkipped++;
          await db.$client.query("update flow_runs set state_type = 'CANCELLED', state_name = 'Cancelled' where id = $1", [id]);
        }
        // A claimed run stays PENDING whatever the marker does next.
        await markLateRuns(markerDb, { now: new Date(Date.now() + 60_000), thresholdSeconds: 15 });
        if (state === "PENDING/Pending") expect(await stateOf(id)).toBe("PENDING/Pending");
      }
      expect(outcomes.claimedFirst + outcomes.markedFirst + outcomes.markerSkipped).toBe(200);
    } finally {
      await markerDb.$client.end();
    }
  });
});
