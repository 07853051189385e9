// Issue 14.1–2, the server's half of the lease rules, through /api/v1 and the reaper:
// the fence before a retry, the reaper's wait after the server could not hear, and a reaped
// attempt's late final report.
import { describe, expect, it } from "vitest";
import { FENCE_MARGIN_SECONDS, KILL_GRACE_SECONDS, LEASE_SECONDS } from "../../agent/protocol/leases";
import { clusterHearingSince, noteCannotHear, startHearingBeacon } from "../../server/orchestration/hearing";
import { reapExpiredLeases } from "../../server/orchestration/reap-expired-leases";
import { startApiServer } from "../helpers/api-server";
import { createTestDatabase } from "../helpers/db";
import { claim, deploy, history, orchestrationWorkspace, report, startRun } from "../helpers/orchestration";

const { db } = await createTestDatabase();
const api = await startApiServer(db);
const longAgo = new Date(0);
const expireLease = (runId: string, secondsAgo = 1) =>
  db.$client.query("update flow_runs set lease_expires_at = now() - make_interval(secs => $2) where id = $1", [runId, secondsAgo]);
const getRun = async (key: string, id: string) => (await api.call("GET", `/api/v1/flow-runs/${id}`, { key })).json;

/** A run of a new workspace's deployment, claimed and reported RUNNING by its agent. */
async function runningRun(agentName: string, deployment: Record<string, unknown> = {}) {
  const W = await orchestrationWorkspace(db, api, agentName);
  const d = await deploy(api, W.key, deployment);
  const run = await startRun(api, W.key, d.id);
  const [c] = await claim(api, W.agentKey, W.agentId);
  await report(api, W.agentKey, c, "RUNNING");
  return { W, run, c };
}

describe("the fence: no new attempt before the lost one has certainly stopped", () => {
  it("a crashed run's retry is due no sooner than its lease expiry + kill grace + margin, even with no retry delay", async () => {
    const { W, run } = await runningRun("fence-1", { retries: 1 });
    await expireLease(run.id);
    const { rows: [lease] } = await db.$client.query<{ at: Date }>("select lease_expires_at as at from flow_runs where id = $1", [run.id]);
    await reapExpiredLeases(db.$client, { hearingSince: longAgo });
    const after = await getRun(W.key, run.id);
    expect(after.state).toMatchObject({ type: "SCHEDULED", name: "AwaitingRetry" });
    expect(new Date(after.scheduledTime).getTime()).toBe(lease.at.getTime() + (KILL_GRACE_SECONDS + FENCE_MARGIN_SECONDS) * 1000);
    // Not claimable yet: the fenced attempt may still be stopping; the run says so.
    expect(await claim(api, W.agentKey, W.agentId)).toEqual([]);
    expect(after.waiting.claimable).toBe(false);
    expect(after.waiting.reasons[0]).toMatchObject({ kind: "fenced", dueAt: after.scheduledTime });
    expect(after.waiting.reasons[0].message).toMatch(/previous attempt lost its lease/);
  });

  it("a person's Retry of a crashed run waits for the fence too", async () => {
    const { W, run } = await runningRun("fence-2");
    await expireLease(run.id, 0);
    await reapExpiredLeases(db.$client, { hearingSince: longAgo });
    expect((await getRun(W.key, run.id)).state.type).toBe("CRASHED");
    const retried = await api.call("POST", `/api/v1/flow-runs/${run.id}/retry`, { key: W.key });
    expect(retried.status).toBe(200);
    expect(new Date(retried.json.scheduledTime).getTime()).toBeGreaterThan(Date.now() + 1000);
    expect(await claim(api, W.agentKey, W.agentId)).toEqual([]);
  });
});

describe("the reaper never counts the server's own deafness against an agent", () => {
  it("reaps nothing until the server has heard for a full lease period, then reaps", async () => {
    const { W, run, c } = await runningRun("deaf-1");
    await expireLease(run.id, 60);
    expect(await reapExpiredLeases(db.$client, { hearingSince: null })).toBe(0);
    expect(await reapExpiredLeases(db.$client, { hearingSince: new Date(Date.now() - (LEASE_SECONDS - 2) * 1000) })).toBe(0);
    expect((await getRun(W.key, run.id)).state.type).toBe("RUNNING");
    // The agent's heartbeat gets through within the wait: the run goes on.
    const beat = await api.call("POST", `/api/v1/agents/${W.agentId}/heartbeat`, { key: W.agentKey, body: { runs: [{ runId: c.id, attempt: c.attempt, leaseToken: c.leaseToken }] } });
    expect(beat.json.lost).toEqual([]);
    expect(await reapExpiredLeases(db.$client, { hearingSince: new Date(Date.now() - (LEASE_SECONDS + 1) * 1000) })).toBe(0);
    await expireLease(run.id, 60);
    const hearingSince = new Date(Date.now() - (LEASE_SECONDS + 1) * 1000);
    expect(await reapExpiredLeases(db.$client, { hearingSince })).toBe(1);
    // The fence counts from when the server could hear again, not from the stale expiry.
    const after = await getRun(W.key, run.id);
    expect(after.state.type).toBe("CRASHED");
  });

  it("an instance's stretch of hearing restarts after a gap in its beacon and after it answered 503", async () => {
    const { db: own } = await createTestDatabase();
    const beacon = startHearingBeacon(own.$client);
    const since = async () => (await clusterHearingSince(own.$client))?.getTime() ?? null;
    let first: number | null = null;
    for (let i = 0; i < 50 && first === null; i++) {
      first = await since();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(first).not.toBeNull();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await since()).toBe(first);
    noteCannotHear();
    await new Promise((r) => setTimeout(r, 1500));
    const afterDeaf = await since();
    expect(afterDeaf).toBeGreaterThan(first!);
    // A gap: as if Postgres had been unreachable for 5 s.
    await own.$client.query("update server_instances set seen_at = now() - interval '5 seconds', hearing_since = now() - interval '1 hour'");
    expect(await since()).toBeNull();
    await new Promise((r) => setTimeout(r, 1500));
    const afterGap = await since();
    expect(afterGap).toBeGreaterThan(afterDeaf!);
    beacon.stop();
    // Stopped: a few seconds later no instance hears, so nothing is reaped.
    await new Promise((r) => setTimeout(r, 3500));
    expect(await since()).toBeNull();
  });
});

describe("a reaped attempt's own late final report", () => {
  it("stands when no other attempt has started: the retry is called off and the run is Completed", async () => {
    const { W, run, c } = await runningRun("late-1", { retries: 2 });
    await expireLease(run.id);
    await reapExpiredLeases(db.$client, { hearingSince: longAgo });
    expect((await getRun(W.key, run.id)).state.name).toBe("AwaitingRetry");
    const late = await report(api, W.agentKey, c, "COMPLETED");
    expect(late.status).toBe("ACCEPT");
    const after = await getRun(W.key, run.id);
    expect(after.state.type).toBe("COMPLETED");
    expect(after.state.message).toMatch(/after the lease had expired/);
    expect(await history(db, run.id)).toEqual(["SCHEDULED/Scheduled#0", "PENDING/Pending#1", "RUNNING/Running#1", "SCHEDULED/AwaitingRetry#1", "COMPLETED/Completed#1"]);
  });

  it("a late FAILED uses the retry the crash had taken, not a second one", async () => {
    const { W, run, c } = await runningRun("late-2", { retries: 1 });
    await expireLease(run.id);
    await reapExpiredLeases(db.$client, { hearingSince: longAgo });
    const late = await report(api, W.agentKey, c, "FAILED", { message: "exit 1" });
    expect(late.status).toBe("ACCEPT");
    expect(late.state).toMatchObject({ type: "SCHEDULED", name: "AwaitingRetry" });
    expect(late.state.message).toMatch(/Retry 1 of 1 after Failed: exit 1/);
  });

  it("is refused once a newer attempt has started, and from a lease that is not the reaped one", async () => {
    const { W, run, c } = await runningRun("late-3", { retries: 1 });
    await expireLease(run.id);
    await reapExpiredLeases(db.$client, { hearingSince: longAgo });
    expect((await report(api, W.agentKey, { ...c, leaseToken: "00000000-0000-4000-8000-000000000000" }, "COMPLETED")).status).toBe("CONFLICT");
    await db.$client.query("update flow_runs set scheduled_time = now() where id = $1", [run.id]);
    const [again] = await claim(api, W.agentKey, W.agentId);
    expect(again.attempt).toBe(2);
    const late = await report(api, W.agentKey, c, "COMPLETED");
    expect(late.status).toBe("CONFLICT");
    expect((await getRun(W.key, run.id)).state.type).toBe("PENDING");
  });
});
