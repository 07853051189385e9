import { beforeAll, describe, expect, it } from "vitest";
import { watchAlertConditions } from "@/server/alerts/watch-alert-conditions";
import type { Db } from "@/server/db/client";
import { startApiServer } from "./helpers/api-server";
import { createTestDatabase } from "./helpers/db";
import { claim, deploy, orchestrationWorkspace, report, startRun } from "./helpers/orchestration";

let db: Db;
let api: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  api = await startApiServer(db);
});


const minutes = (n: number) => n * 60_000;
const at = (base: number, ms: number) => new Date(base + ms);

/** The alerts queued for an automation, as the notifier will send them. */
async function queued(automationId: string) {
  const { rows } = await db.$client.query<{ dedupe_key: string; event: { event: string } }>(
    `select dedupe_key, event from alert_deliveries where automation_id = $1 order by created_at`,
    [automationId],
  );
  return rows;
}

async function setUp(trigger: { triggerKind: "running_longer"; minutes: number } | { triggerKind: "no_success"; hours: number } | { triggerKind: "agent_offline" }, pick?: (d: { id: string }) => string[]) {
  const w = await orchestrationWorkspace(db, api);
  const d = await deploy(api, w.key);
  const { automation } = await w.owner.caller.automations.create({
    workspace: w.ws.slug,
    name: `watch ${trigger.triggerKind}`,
    ...trigger,
    deploymentIds: pick ? pick(d) : [],
    actions: [{ kind: "email", userIds: [], roles: ["owner"], addresses: [] }],
  });
  return { w, d, automation };
}

describe("proactive alert triggers (clock injected)", () => {
  it("no Completed run within N hours fires once per window, and a success starts a new count", async () => {
    const { w, d, automation } = await setUp({ triggerKind: "no_success", hours: 1 }, (dep) => [dep.id]);
    const t0 = Date.now();
    expect(await watchAlertConditions(db, { now: at(t0, minutes(30)) })).toBe(0);
    await watchAlertConditions(db, { now: at(t0, minutes(61)) });
    await watchAlertConditions(db, { now: at(t0, minutes(62)) });
    await watchAlertConditions(db, { now: at(t0, minutes(119)) });
    expect((await queued(automation.id)).map((r) => r.event.event)).toEqual(["NoSuccess"]);
    await watchAlertConditions(db, { now: at(t0, minutes(121)) });
    expect(await queued(automation.id)).toHaveLength(2);

    const run = await startRun(api, w.key, d.id);
    const [claimed] = await claim(api, w.agentKey, w.agentId);
    expect(claimed.id).toBe(run.id);
    await report(api, w.agentKey, claimed, "RUNNING");
    expect((await report(api, w.agentKey, claimed, "COMPLETED")).status).toBe("ACCEPT");
    const done = Date.now();
    await watchAlertConditions(db, { now: at(done, minutes(59)) });
    expect(await queued(automation.id)).toHaveLength(2);
    await watchAlertConditions(db, { now: at(done, minutes(61)) });
    await watchAlertConditions(db, { now: at(done, minutes(70)) });
    expect(await queued(automation.id)).toHaveLength(3);
  });

  it("a run Running longer than N minutes fires once", async () => {
    const { w, d, automation } = await setUp({ triggerKind: "running_longer", minutes: 5 });
    await startRun(api, w.key, d.id);
    const [claimed] = await claim(api, w.agentKey, w.agentId);
    await report(api, w.agentKey, claimed, "RUNNING");
    const t0 = Date.now();
    expect(await watchAlertConditions(db, { now: at(t0, minutes(4)) })).toBe(0);
    for (const m of [6, 7, 30, 600]) await watchAlertConditions(db, { now: at(t0, minutes(m)) });
    const rows = await queued(automation.id);
    expect(rows.map((r) => r.event.event)).toEqual(["RunningTooLong"]);
    expect(rows[0].dedupe_key).toBe(`running:${claimed.id}:${claimed.attempt}`);
  });

  it("an agent that stops heartbeating fires once, and again only after it came back and left again", async () => {
    const { w, automation } = await setUp({ triggerKind: "agent_offline" });
    const t0 = Date.now();
    expect(await watchAlertConditions(db, { now: at(t0, 10_000) })).toBe(0);
    for (const s of [31, 45, 600]) await watchAlertConditions(db, { now: at(t0, s * 1000) });
    expect((await queued(automation.id)).map((r) => r.event.event)).toEqual(["AgentOffline"]);

    const beat = await api.call("POST", `/api/v1/agents/${w.agentId}/heartbeat`, { key: w.agentKey, body: { runs: [] } });
    expect(beat.status).toBe(200);
    const t1 = Date.now();
    await watchAlertConditions(db, { now: at(t1, 5_000) });
    expect(await queued(automation.id)).toHaveLength(1);
    await watchAlertConditions(db, { now: at(t1, 40_000) });
    await watchAlertConditions(db, { now: at(t1, 90_000) });
    expect(await queued(automation.id)).toHaveLength(2);
  });
});
