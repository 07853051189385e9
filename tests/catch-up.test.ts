import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createDb } from "../server/db/client";
import { uuidv7 } from "../server/db/uuidv7";
import { claimRuns } from "../server/dispatch/claim-runs";
import { fillSchedules } from "../server/scheduling/fill-schedules";
import { markLateRuns } from "../server/scheduling/mark-late-runs";
import { skipMissedRuns } from "../server/scheduling/skip-missed-runs";
import { startApiServer } from "./helpers/api-server";
import { runBaton } from "./helpers/cli";
import { createTestDatabase } from "./helpers/db";
import { addMember, createUser } from "./helpers/fixtures";
import { claim, deploy, history, orchestrationWorkspace, report, startRun } from "./helpers/orchestration";

const { db, url } = await createTestDatabase();
const api = await startApiServer(db);

const LATE_AFTER = 15;
const MINUTE = 60_000;
/** Slots every 10 minutes on the hour's grid, so the times in messages are predictable. */
const EVERY_10_MIN = [{ kind: "interval", intervalSeconds: 600, anchor: "2026-01-01T00:00:00Z" }];

type Run = { id: string; state: { type: string; name: string; message: string | null }; scheduledTime: string; attempt: number };

/**
 * A deployment with a 10-minute schedule whose slots lie in the past with no agent to take them:
 * the scheduler filled it as of two hours ago (slots from ~110 to ~60 minutes ago), and no claim
 * came since.
 */
async function missedSlots(over: Record<string, unknown> = {}) {
  const w = await orchestrationWorkspace(db, api);
  const d = await deploy(api, w.key, { schedules: EVERY_10_MIN, ...over });
  await fillSchedules(db, { now: new Date(Date.now() - 120 * MINUTE) });
  const runs = await listRuns(w.key, d.id);
  expect(runs.length).toBeGreaterThanOrEqual(6);
  expect(runs.every((r) => r.state.type === "SCHEDULED" && Date.parse(r.scheduledTime) < Date.now() - 50 * MINUTE)).toBe(true);
  return { ...w, deployment: d, runs };
}

/** The deployment's runs as GET /api/v1/flow-runs shows them, oldest slot first. */
async function listRuns(key: string, deploymentId: string): Promise<Run[]> {
  const res = await api.call("GET", `/api/v1/flow-runs?deployment=${deploymentId}&limit=200`, { key });
  expect(res.status).toBe(200);
  return (res.json.runs as Run[]).sort((a, b) => Date.parse(a.scheduledTime) - Date.parse(b.scheduledTime));
}

const utc = (iso: string) => `${new Date(iso).toISOString().slice(0, 16).replace("T", " ")} UTC`;

describe("catch-up after an agent outage", () => {
  it("latest (the default): only the newest missed run of the schedule runs; the others end Skipped, with the reason, history and an event", async () => {
    const w = await missedSlots();
    expect((await api.call("GET", `/api/v1/deployments/${w.deployment.id}`, { key: w.key })).json).toMatchObject({ catchUp: "latest", maxLatenessSeconds: null });
    const newest = w.runs.at(-1)!;

    const listener = await db.$client.connect();
    const events: string[] = [];
    listener.on("notification", (n) => n.channel === "baton_events" && events.push(...(JSON.parse(n.payload!).ids as string[])));
    try {
      await listener.query("listen baton_events");
      expect(await skipMissedRuns(db, { now: new Date(), lateAfterSeconds: LATE_AFTER })).toBeGreaterThanOrEqual(w.runs.length - 1);
      const deadline = Date.now() + 5_000;
      while (!w.runs.slice(0, -1).every((r) => events.includes(r.id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(w.runs.slice(0, -1).filter((r) => !events.includes(r.id))).toEqual([]);
    } finally {
      await listener.query("unlisten baton_events");
      listener.release();
    }

    const after = await listRuns(w.key, w.deployment.id);
    for (const r of after.slice(0, -1)) {
      expect(r.state).toMatchObject({ type: "CANCELLED", name: "Skipped", message: `Skipped: a newer run of this schedule (due ${utc(newest.scheduledTime)}) is due; catch-up policy latest` });
      expect(await history(db, r.id)).toEqual(["SCHEDULED/Scheduled#0", "CANCELLED/Skipped#0"]);
    }
    expect(after.at(-1)).toMatchObject({ id: newest.id, state: { type: "SCHEDULED", name: "Scheduled" } });
    // Skipped once: a second pass finds nothing, and the kept run goes Late as before.
    expect(await skipMissedRuns(db, { now: new Date(), lateAfterSeconds: LATE_AFTER })).toBe(0);
    await markLateRuns(db, { now: new Date(), thresholdSeconds: LATE_AFTER });
    expect((await listRuns(w.key, w.deployment.id)).at(-1)!.state.name).toBe("Late");

    // The agents come back: a real claim with room for ten takes the newest run only.
    const claimed = await claim(api, w.agentKey, w.agentId, { slots: 10 });
    expect(claimed.map((r) => r.id)).toEqual([newest.id]);
  });

  it("all: every missed run stays and runs, oldest first", async () => {
    const w = await missedSlots({ catchUp: "all" });
    await skipMissedRuns(db, { now: new Date(), lateAfterSeconds: LATE_AFTER });
    expect((await listRuns(w.key, w.deployment.id)).map((r) => r.state.type)).toEqual(w.runs.map(() => "SCHEDULED"));
    const claimed = await claim(api, w.agentKey, w.agentId, { slots: 100 });
    expect(claimed.map((r) => r.id)).toEqual(w.runs.map((r) => r.id));
  });

  it("none: a run that became Late is skipped; one not yet late still runs", async () => {
    const w = await missedSlots({ catchUp: "none" });
    const newest = w.runs.at(-1)!;
    // Seen from 5 s after the newest slot: the older ones are superseded, the newest is not late yet.
    const early = new Date(Date.parse(newest.scheduledTime) + 5_000);
    await skipMissedRuns(db, { now: early, lateAfterSeconds: LATE_AFTER });
    let runs = await listRuns(w.key, w.deployment.id);
    expect(runs.slice(0, -1).map((r) => r.state.message)).toEqual(runs.slice(0, -1).map(() => `Skipped: a newer run of this schedule (due ${utc(newest.scheduledTime)}) is due; catch-up policy none`));
    expect(runs.at(-1)!.state).toMatchObject({ type: "SCHEDULED", name: "Scheduled" });

    await skipMissedRuns(db, { now: new Date(), lateAfterSeconds: LATE_AFTER });
    runs = await listRuns(w.key, w.deployment.id);
    expect(runs.at(-1)!.state).toEqual(expect.objectContaining({ type: "CANCELLED", name: "Skipped", message: "Skipped: not started within 15s of its scheduled time (Late); catch-up policy none" }));
    expect(await claim(api, w.agentKey, w.agentId, { slots: 10 })).toEqual([]);
  });

  it("max lateness: with any policy, a run not started that long after its time is skipped", async () => {
    const w = await missedSlots({ catchUp: "all", maxLatenessSeconds: 5400 });
    const now = new Date();
    await skipMissedRuns(db, { now, lateAfterSeconds: LATE_AFTER });
    const runs = await listRuns(w.key, w.deployment.id);
    const tooLate = runs.filter((r) => Date.parse(r.scheduledTime) < now.getTime() - 5400_000);
    const inTime = runs.filter((r) => Date.parse(r.scheduledTime) >= now.getTime() - 5400_000);
    expect(tooLate.length).toBeGreaterThan(0);
    expect(inTime.length).toBeGreaterThan(0);
    for (const r of tooLate) expect(r.state).toMatchObject({ type: "CANCELLED", name: "Skipped", message: "Skipped: not started within 1h 30m of its scheduled time (max lateness)" });
    for (const r of inTime) expect(r.state.type).toBe("SCHEDULED");
  });

  it("manual and API runs, retries awaiting their time and runs given back are never skipped", async () => {
    const w = await missedSlots({ catchUp: "none", maxLatenessSeconds: 60, retries: 1 });
    // A person's run set for two hours ago, and a scheduled run that failed and awaits its retry.
    const manual = await startRun(api, w.key, w.deployment.id, { scheduledTime: new Date(Date.now() - 120 * MINUTE).toISOString() });
    const [oldest] = w.runs;
    const [claimed] = await claim(api, w.agentKey, w.agentId);
    expect(claimed.id).toBe(manual.id);
    expect(await report(api, w.agentKey, claimed, "FAILED", { message: "boom" })).toMatchObject({ state: { type: "SCHEDULED", name: "AwaitingRetry" } });
    const [slot] = await claim(api, w.agentKey, w.agentId);
    expect(slot.id).toBe(oldest.id);
    expect(await report(api, w.agentKey, slot, "FAILED", { message: "boom" })).toMatchObject({ state: { type: "SCHEDULED", name: "AwaitingRetry" } });
    const adhoc = await startRun(api, w.key, w.deployment.id, { scheduledTime: new Date(Date.now() - 60 * MINUTE).toISOString() });

    // Two hours on: everything is past its max lateness and the policy's Late threshold.
    await skipMissedRuns(db, { now: new Date(Date.now() + 120 * MINUTE), lateAfterSeconds: LATE_AFTER });
    const byId = new Map((await listRuns(w.key, w.deployment.id)).map((r) => [r.id, r]));
    expect(byId.get(manual.id)!.state.name).toBe("AwaitingRetry");
    expect(byId.get(oldest.id)!.state.name).toBe("AwaitingRetry");
    expect(byId.get(adhoc.id)!.state).toMatchObject({ type: "SCHEDULED", name: "Scheduled" });
    const others = w.runs.filter((r) => r.id !== oldest.id).map((r) => byId.get(r.id)!.state.name);
    expect(others).toEqual(others.map(() => "Skipped"));
  });

  it("never skips a run a claim holds at that instant, and never waits for the claim", async () => {
    const w = await missedSlots({ catchUp: "all", maxLatenessSeconds: 60 });
    const [held, ...rest] = w.runs;
    // A claim in progress: it holds the row (as claimRuns' FOR UPDATE SKIP LOCKED does) and has not committed.
    const claimer = await db.$client.connect();
    try {
      await claimer.query("begin");
      await claimer.query("select id from flow_runs where id = $1 for update", [held.id]);
      // Returns at once (no wait for the claim's lock) and leaves the held run alone.
      await skipMissedRuns(db, { now: new Date(), lateAfterSeconds: LATE_AFTER });
      expect((await listRuns(w.key, w.deployment.id))[0].state).toMatchObject({ type: "SCHEDULED", name: "Scheduled" });
      await claimer.query("update flow_runs set state_type = 'PENDING', state_name = 'Pending', attempt = 1 where id = $1", [held.id]);
      await claimer.query("commit");
    } finally {
      claimer.release();
    }
    // Once the claim committed, the run is PENDING: the orchestrator's rules refuse to skip it.
    await skipMissedRuns(db, { now: new Date(), lateAfterSeconds: LATE_AFTER });
    const runs = await listRuns(w.key, w.deployment.id);
    expect(runs[0]).toMatchObject({ id: held.id, state: { type: "PENDING" } });
    expect(runs.slice(1).map((r) => r.state.name)).toEqual(rest.map(() => "Skipped"));
  });

  it("races with real claims: each missed run is either claimed or skipped, never both (100 rounds)", { timeout: 120_000 }, async () => {
    const w = await orchestrationWorkspace(db, api);
    const d = await deploy(api, w.key, { schedules: EVERY_10_MIN, catchUp: "all", maxLatenessSeconds: 60 });
    const { rows } = await db.$client.query<{ id: string; work_pool_id: string; flow_id: string }>(
      "select s.id, d.work_pool_id, d.flow_id from schedules s join deployments d on d.id = s.deployment_id where d.id = $1",
      [d.id],
    );
    const [schedule] = rows;
    const skipperDb = createDb(url, 3);
    const outcomes = { claimed: 0, skipped: 0 };
    try {
      for (let round = 0; round < 100; round++) {
        const id = uuidv7();
        const slot = new Date(Date.UTC(2020, 0, 1) + round * 600_000);
        await db.$client.query(
          `with r as (
             insert into flow_runs (id, workspace_id, flow_id, deployment_id, schedule_id, work_pool_id, name, state_type, state_name, scheduled_time, slot_time, auto_scheduled)
             values ($1, $2, $3, $4, $5, $6, 'race', 'SCHEDULED', 'Scheduled', $7, $7, true) returning id, workspace_id
           ) insert into flow_run_states (workspace_id, flow_run_id, type, name, attempt) select workspace_id, id, 'SCHEDULED', 'Scheduled', 0 from r`,
          [id, w.ws.id, schedule.flow_id, d.id, schedule.id, schedule.work_pool_id, slot],
        );
        const [claimed] = await Promise.all([
          claimRuns(db.$client, { workspaceId: w.ws.id, workPoolId: schedule.work_pool_id, agentId: w.agentId, slots: 1 }),
          skipMissedRuns(skipperDb, { now: new Date(), lateAfterSeconds: LATE_AFTER }),
        ]);
        const h = await history(db, id);
        if (claimed.runs.some((r) => r.id === id)) {
          expect(h, `round ${round}`).toEqual(["SCHEDULED/Scheduled#0", "PENDING/Pending#1"]);
          outcomes.claimed++;
          await db.$client.query("update flow_runs set state_type = 'COMPLETED', state_name = 'Completed' where id = $1", [id]);
        } else {
          expect(h, `round ${round}`).toEqual(["SCHEDULED/Scheduled#0", "CANCELLED/Skipped#0"]);
          outcomes.skipped++;
        }
      }
    } finally {
      await skipperDb.$client.end();
    }
    expect(outcomes.claimed + outcomes.skipped).toBe(100);
  });

  it("works off a backlog of 10,000 missed slots in a few statements", { timeout: 60_000 }, async () => {
    const w = await orchestrationWorkspace(db, api);
    const d = await deploy(api, w.key, { schedules: EVERY_10_MIN });
    await db.$client.query(
      `with r as (
         insert into flow_runs (id, workspace_id, flow_id, deployment_id, schedule_id, work_pool_id, name, state_type, state_name, scheduled_time, slot_time, auto_scheduled)
         select gen_random_uuid(), d.workspace_id, d.flow_id, d.id, s.id, d.work_pool_id, 'backlog-' || g, 'SCHEDULED', 'Late', t, t, true
           from deployments d join schedules s on s.deployment_id = d.id,
                generate_series(1, 10000) g, lateral (select now() - make_interval(mins => g) as t) x
          where d.id = $1
         returning id, workspace_id
       ) insert into flow_run_states (workspace_id, flow_run_id, type, name, attempt) select workspace_id, id, 'SCHEDULED', 'Late', 0 from r`,
      [d.id],
    );
    expect(await skipMissedRuns(db, { now: new Date(), lateAfterSeconds: LATE_AFTER })).toBeGreaterThanOrEqual(9_999);
    const { rows } = await db.$client.query<{ state_name: string; n: number }>(
      "select state_name, count(*)::int as n from flow_runs where deployment_id = $1 group by state_name order by state_name",
      [d.id],
    );
    expect(rows).toEqual([
      { state_name: "Late", n: 1 },
      { state_name: "Skipped", n: 9_999 },
    ]);
  });

  it("a Skipped run does not fire a Cancelled automation; a person's cancel does", async () => {
    const w = await missedSlots();
    await w.owner.caller.automations.create({
      workspace: w.ws.slug,
      name: `Cancelled ${randomUUID().slice(0, 6)}`,
      triggerKind: "run_state",
      states: ["Cancelled"],
      actions: [{ kind: "email", userIds: [], roles: ["owner"], addresses: [] }],
    });
    await skipMissedRuns(db, { now: new Date(), lateAfterSeconds: LATE_AFTER });
    const queued = async () =>
      (await db.$client.query<{ n: number }>("select count(*)::int as n from alert_deliveries where workspace_id = $1 and kind = 'alert'", [w.ws.id])).rows[0].n;
    expect(await queued()).toBe(0);
    expect((await api.call("POST", `/api/v1/flow-runs/${w.runs.at(-1)!.id}/cancel`, { key: w.key })).status).toBe(200);
    expect(await queued()).toBe(1);
  });
});

describe("setting the catch-up policy", () => {
  const batonEnv = (key: string): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: fs.mkdtempSync(path.join(os.tmpdir(), "baton-home-")), BATON_API_URL: api.base, BATON_API_KEY: key };
    delete e.NODE_OPTIONS;
    return e;
  };
  const writeYaml = (text: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baton-yaml-"));
    fs.writeFileSync(path.join(dir, "baton.yaml"), text);
    return dir;
  };

  it("a real `baton deploy` of a baton.yaml sets it, GET /api/v1/deployments shows it, and a redeploy changes only what the file changed", { timeout: 60_000 }, async () => {
    const w = await orchestrationWorkspace(db, api);
    const yaml = (policy: string) => `deployments:
  - name: hourly
    command: echo hi
    interval: 3600
    catchup: ${policy}
    maxLateness: 1800
  - name: plain
    command: echo hi
`;
    const dir = writeYaml(yaml("none"));
    const first = await runBaton(["deploy"], { env: batonEnv(w.key), cwd: dir });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Created: hourly\/hourly .*every 3600 s; catch-up none, max lateness 1800 s; code: .+ on .+$/m);
    expect(first.stdout).toMatch(/^Created: plain\/plain .*no schedule .*; catch-up latest; code: .+$/m);
    const listed = (await api.call("GET", "/api/v1/deployments", { key: w.key })).json.deployments as { name: string; catchUp: string; maxLatenessSeconds: number | null }[];
    expect(listed.map((d) => [d.name, d.catchUp, d.maxLatenessSeconds]).sort()).toEqual([
      ["hourly", "none", 1800],
      ["plain", "latest", null],
    ]);

    fs.writeFileSync(path.join(dir, "baton.yaml"), yaml("all"));
    const again = await runBaton(["deploy"], { env: batonEnv(w.key), cwd: dir });
    expect(again.stdout).toMatch(/^Updated \(catchUp\): hourly\/hourly .*catch-up all, max lateness 1800 s; code: .+$/m);
    expect(again.stdout).toMatch(/^Unchanged: plain\/plain/m);
  });

  it("bad values get an error naming the field and the allowed values, and nothing is deployed", { timeout: 60_000 }, async () => {
    const w = await orchestrationWorkspace(db, api);
    const dir = writeYaml(`deployments:
  - name: nightly
    command: echo hi
    catchup: sometimes
    maxLateness: -5
`);
    const res = await runBaton(["deploy"], { env: batonEnv(w.key), cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('deployments[0] (nightly).catchup: "sometimes" is not a catch-up policy; use all, latest or none');
    expect(res.stderr).toContain("deployments[0] (nightly).maxLateness: must be at least 1 second (leave it out for no limit)");
    const flags = await runBaton(["deploy", "--command", "echo hi", "--name", "x", "--catchup", "sometimes"], { env: batonEnv(w.key) });
    expect(flags.code).toBe(2);
    expect(flags.stderr).toContain('--catchup: "sometimes" is not a catch-up policy; use all, latest or none');
    expect((await api.call("GET", "/api/v1/deployments", { key: w.key })).json.deployments).toEqual([]);

    const put = await api.call("PUT", "/api/v1/deployments", { key: w.key, body: { flowName: "f", name: "n", kind: "command", command: "echo", catchUp: "sometimes", maxLatenessSeconds: -1 } });
    expect(put.status).toBe(422);
    expect(put.json.error.details.fieldErrors).toMatchObject({
      catchUp: ['"sometimes" is not a catch-up policy; use all, latest or none'],
      maxLatenessSeconds: ["must be at least 1 second (leave it out for no limit)"],
    });
  });

  it("developers change it on the deployment page (tRPC); runners cannot", async () => {
    const w = await orchestrationWorkspace(db, api);
    const members = { dev: await createUser(db), runner: await createUser(db) };
    await addMember(db, w.ws.id, w.owner.user.id, members.dev.user, "developer");
    await addMember(db, w.ws.id, w.owner.user.id, members.runner.user, "runner");
    const d = await deploy(api, w.key);
    const input = { workspace: w.ws.slug, deploymentId: d.id, catchUp: "all" as const, maxLatenessSeconds: 7200 };
    await expect(members.runner.caller.deployments.setCatchUp(input)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(members.dev.caller.deployments.setCatchUp({ ...input, maxLatenessSeconds: -1 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await members.dev.caller.deployments.setCatchUp(input)).toMatchObject({ catchUp: "all", maxLatenessSeconds: 7200 });
    expect(await members.runner.caller.deployments.get({ workspace: w.ws.slug, deploymentId: d.id })).toMatchObject({ catchUp: "all", maxLatenessSeconds: 7200 });
    expect((await api.call("GET", `/api/v1/deployments/${d.id}`, { key: w.key })).json).toMatchObject({ catchUp: "all", maxLatenessSeconds: 7200 });
  });
});
