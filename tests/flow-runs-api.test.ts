import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { reapExpiredLeases } from "../server/orchestration/reap-expired-leases";
import { startApiServer } from "./helpers/api-server";
import { createTestDatabase } from "./helpers/db";
import { claim, deploy, history, orchestrationWorkspace, report, startRun } from "./helpers/orchestration";

const { db } = await createTestDatabase();
const api = await startApiServer(db);
const W = await orchestrationWorkspace(db, api);

describe("a run's life through /api/v1", () => {
  it("SCHEDULED → claimed PENDING → RUNNING → COMPLETED, with history", async () => {
    const d = await deploy(api, W.key);
    const run = await startRun(api, W.key, d.id);
    expect(run.state).toMatchObject({ type: "SCHEDULED", name: "Scheduled" });
    const [c] = await claim(api, W.agentKey, W.agentId);
    expect(c).toMatchObject({ id: run.id, attempt: 1 });
    expect(c.runToken).toMatch(/^brt_/);
    expect((await report(api, W.agentKey, c, "RUNNING")).status).toBe("ACCEPT");
    expect((await report(api, W.agentKey, c, "COMPLETED")).state).toMatchObject({ type: "COMPLETED", name: "Completed" });
    expect(await history(db, run.id)).toEqual(["SCHEDULED/Scheduled#0", "PENDING/Pending#1", "RUNNING/Running#1", "COMPLETED/Completed#1"]);
    const got = await api.call("GET", `/api/v1/flow-runs/${run.id}`, { key: W.key });
    expect(got.json).toMatchObject({ state: { type: "COMPLETED" }, attempt: 1, deploymentName: d.name, flowName: "train", workPool: "default" });
    expect(got.json.startTime).not.toBeNull();
    expect(got.json.endTime).not.toBeNull();
    // Terminal is final for the agent.
    expect((await report(api, W.agentKey, c, "RUNNING")).status).toBe("CONFLICT");
  });

  it("a claimed run is never claimed again, and a repeated transitionId changes nothing", async () => {
    const W = await orchestrationWorkspace(db, api, "replayer");
    const d = await deploy(api, W.key);
    const run = await startRun(api, W.key, d.id);
    const [c] = await claim(api, W.agentKey, W.agentId, { slots: 5 });
    expect(c.id).toBe(run.id);
    expect(await claim(api, W.agentKey, W.agentId, { slots: 5 })).toEqual([]);
    const transitionId = randomUUID();
    const body = { reports: [{ runId: c.id, attempt: c.attempt, leaseToken: c.leaseToken, transitionId, state: { type: "RUNNING" } }] };
    const first = await api.call("POST", "/api/v1/flow-runs/states", { key: W.agentKey, body });
    const again = await api.call("POST", "/api/v1/flow-runs/states", { key: W.agentKey, body });
    expect(first.json.results[0]).toMatchObject({ status: "ACCEPT", replayed: false });
    expect(again.json.results[0]).toMatchObject({ status: "ACCEPT", replayed: true, state: { type: "RUNNING" } });
    expect((await history(db, run.id)).filter((h) => h.startsWith("RUNNING"))).toHaveLength(1);
  });

  it("fences reports from a stale attempt or a lost lease with CONFLICT", async () => {
    const W = await orchestrationWorkspace(db, api, "fenced");
    const d = await deploy(api, W.key, { retries: 1 });
    const run = await startRun(api, W.key, d.id);
    const [first] = await claim(api, W.agentKey, W.agentId);
    await report(api, W.agentKey, first, "RUNNING");
    expect((await report(api, W.agentKey, { ...first, leaseToken: randomUUID() }, "COMPLETED")).status).toBe("CONFLICT");
    const failed = await report(api, W.agentKey, first, "FAILED", { message: "out of memory" });
    expect(failed.state).toMatchObject({ type: "SCHEDULED", name: "AwaitingRetry" });
    expect(failed.state.message).toContain("out of memory");
    const [second] = await claim(api, W.agentKey, W.agentId);
    expect(second).toMatchObject({ id: run.id, attempt: 2 });
    // The first attempt's process wakes up and reports: refused.
    const stale = await report(api, W.agentKey, first, "COMPLETED");
    expect(stale.status).toBe("CONFLICT");
    expect(stale.reason).toContain("attempt 1");
    await report(api, W.agentKey, second, "RUNNING");
    expect((await report(api, W.agentKey, second, "FAILED")).state).toMatchObject({ type: "FAILED", name: "Failed" });
    expect(await history(db, run.id)).toEqual([
      "SCHEDULED/Scheduled#0",
      "PENDING/Pending#1",
      "RUNNING/Running#1",
      "SCHEDULED/AwaitingRetry#1",
      "PENDING/Pending#2",
      "RUNNING/Running#2",
      "FAILED/Failed#2",
    ]);
  });

  it("validates parameters against the deployment's JSON Schema with per-field errors, and honours idempotency keys", async () => {
    const d = await deploy(api, W.key, {
      parameters: { lr: 0.1 },
      parameterSchema: { type: "object", properties: { epochs: { type: "integer", minimum: 1 }, lr: { type: "number" } }, required: ["epochs"] },
    });
    const missing = await api.call("POST", `/api/v1/deployments/${d.id}/runs`, { key: W.key, body: { parameters: {} } });
    expect(missing.status).toBe(422);
    expect(missing.json.error.details.fieldErrors.epochs).toEqual(["is required"]);
    const wrong = await api.call("POST", `/api/v1/deployments/${d.id}/runs`, { key: W.key, body: { parameters: { epochs: "ten" } } });
    expect(wrong.status).toBe(422);
    expect(wrong.json.error.details.fieldErrors.epochs[0]).toContain("integer");
    const ok = await api.call("POST", `/api/v1/deployments/${d.id}/runs`, { key: W.key, body: { parameters: { epochs: 3 }, idempotencyKey: "nightly-2026-11-26" } });
    expect(ok.status).toBe(201);
    expect(ok.json.run.parameters).toEqual({ lr: 0.1, epochs: 3 });
    const again = await api.call("POST", `/api/v1/deployments/${d.id}/runs`, { key: W.key, body: { parameters: { epochs: 9 }, idempotencyKey: "nightly-2026-11-26" } });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ created: false, run: { id: ok.json.run.id, parameters: { epochs: 3 } } });
  });

  it("cancel: SCHEDULED at once; RUNNING through CANCELLING, told to the agent by its heartbeat", async () => {
    const W = await orchestrationWorkspace(db, api, "canceller");
    const d = await deploy(api, W.key);
    const queued = await startRun(api, W.key, d.id, { scheduledTime: new Date(Date.now() + 3600_000).toISOString() });
    expect((await api.call("POST", `/api/v1/flow-runs/${queued.id}/cancel`, { key: W.key })).json.state.type).toBe("CANCELLED");

    const run = await startRun(api, W.key, d.id);
    const [c] = await claim(api, W.agentKey, W.agentId);
    await report(api, W.agentKey, c, "RUNNING");
    expect((await api.call("POST", `/api/v1/flow-runs/${run.id}/cancel`, { key: W.key })).json.state.type).toBe("CANCELLING");
    const beat = await api.call("POST", `/api/v1/agents/${W.agentId}/heartbeat`, { key: W.agentKey, body: { runs: [{ runId: c.id, attempt: c.attempt, leaseToken: c.leaseToken }] } });
    expect(beat.json).toMatchObject({ cancel: [run.id], lost: [] });
    expect((await report(api, W.agentKey, c, "CANCELLED")).state.type).toBe("CANCELLED");
    const finished = await api.call("POST", `/api/v1/flow-runs/${run.id}/cancel`, { key: W.key });
    expect(finished.status).toBe(409);
    expect(finished.json.error.message).toContain("Cancelled");
  });

  it("a person's Retry starts a new attempt of a finished run", async () => {
    const W = await orchestrationWorkspace(db, api, "retrier");
    const d = await deploy(api, W.key);
    const run = await startRun(api, W.key, d.id);
    const [c] = await claim(api, W.agentKey, W.agentId);
    await report(api, W.agentKey, c, "FAILED");
    const retried = await api.call("POST", `/api/v1/flow-runs/${run.id}/retry`, { key: W.key });
    expect(retried.json.state).toMatchObject({ type: "SCHEDULED", name: "Scheduled" });
    const [again] = await claim(api, W.agentKey, W.agentId);
    expect(again).toMatchObject({ id: run.id, attempt: 2 });
  });

  it("an expired lease crashes the run, which then retries; CANCELLING with a dead agent becomes CANCELLED", async () => {
    const W = await orchestrationWorkspace(db, api, "reaped");
    const d = await deploy(api, W.key, { retries: 1, retryDelay: { kind: "fixed", seconds: 60 } });
    const run = await startRun(api, W.key, d.id);
    const [c] = await claim(api, W.agentKey, W.agentId);
    await report(api, W.agentKey, c, "RUNNING");
    // A heartbeat renews the lease; the reaper leaves the run alone.
    await db.$client.query("update flow_runs set lease_expires_at = now() + interval '20 seconds' where id = $1", [run.id]);
    await reapExpiredLeases(db.$client, { hearingSince: new Date(0) });
    expect((await api.call("GET", `/api/v1/flow-runs/${run.id}`, { key: W.key })).json.state.type).toBe("RUNNING");
    await db.$client.query("update flow_runs set lease_expires_at = now() - interval '1 second' where id = $1", [run.id]);
    expect(await reapExpiredLeases(db.$client, { hearingSince: new Date(0) })).toBeGreaterThanOrEqual(1);
    const after = await api.call("GET", `/api/v1/flow-runs/${run.id}`, { key: W.key });
    expect(after.json.state).toMatchObject({ type: "SCHEDULED", name: "AwaitingRetry" });
    expect(after.json.state.message).toContain("Agent stopped heartbeating");
    expect(new Date(after.json.scheduledTime).getTime()).toBeGreaterThan(Date.now() + 50_000);
    // That attempt's own final report, late: no other attempt has started, so it stands
    // (tests/leases.test.ts has the cases where it does not).
    expect((await report(api, W.agentKey, c, "COMPLETED")).status).toBe("ACCEPT");
    expect((await api.call("GET", `/api/v1/flow-runs/${run.id}`, { key: W.key })).json.state).toMatchObject({ type: "COMPLETED" });

    const r2 = await startRun(api, W.key, (await deploy(api, W.key)).id);
    const [c2] = await claim(api, W.agentKey, W.agentId);
    expect(c2.id).toBe(r2.id);
    await report(api, W.agentKey, c2, "RUNNING");
    await api.call("POST", `/api/v1/flow-runs/${r2.id}/cancel`, { key: W.key });
    await db.$client.query("update flow_runs set lease_expires_at = now() - interval '1 second' where id = $1", [r2.id]);
    await reapExpiredLeases(db.$client, { hearingSince: new Date(0) });
    expect((await api.call("GET", `/api/v1/flow-runs/${r2.id}`, { key: W.key })).json.state.type).toBe("CANCELLED");
  });

  it("long poll: a waiting claim takes a run created meanwhile, without polling", async () => {
    const V = await orchestrationWorkspace(db, api, "poller");
    const d = await deploy(api, V.key);
    const started = Date.now();
    const waiting = claim(api, V.agentKey, V.agentId, { waitSeconds: 20 });
    await new Promise((r) => setTimeout(r, 300));
    const run = await startRun(api, V.key, d.id);
    const [got] = await waiting;
    expect(got.id).toBe(run.id);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("long poll on a limited deployment: the next run is handed out as soon as the running one completes", async () => {
    const V = await orchestrationWorkspace(db, api, "limited-poller");
    const d = await deploy(api, V.key, { concurrencyLimit: 1 });
    await startRun(api, V.key, d.id);
    await startRun(api, V.key, d.id);
    const [first, ...none] = await claim(api, V.agentKey, V.agentId, { slots: 2 });
    expect(none).toEqual([]);
    const waiting = claim(api, V.agentKey, V.agentId, { slots: 1, waitSeconds: 20 });
    await report(api, V.agentKey, first, "RUNNING");
    await new Promise((r) => setTimeout(r, 300));
    const completedAt = Date.now();
    await report(api, V.agentKey, first, "COMPLETED");
    const [second] = await waiting;
    expect(second.id).not.toBe(first.id);
    expect(Date.now() - completedAt).toBeLessThan(2_000);
  });

  it("a run scheduled a moment ahead is claimed when it becomes due", async () => {
    const V = await orchestrationWorkspace(db, api, "timer");
    const d = await deploy(api, V.key);
    const due = Date.now() + 700;
    const run = await startRun(api, V.key, d.id, { scheduledTime: new Date(due).toISOString() });
    const [got] = await claim(api, V.agentKey, V.agentId, { waitSeconds: 10 });
    expect(got.id).toBe(run.id);
    expect(Date.now()).toBeGreaterThanOrEqual(due);
    expect(Date.now() - due).toBeLessThan(2_000);
  });

  it("a paused pool or deployment hands out nothing until resumed", async () => {
    const V = await orchestrationWorkspace(db, api, "pauser");
    const d = await deploy(api, V.key);
    await startRun(api, V.key, d.id);
    await api.call("PATCH", "/api/v1/work-pools/default", { key: V.key, body: { paused: true } });
    const paused = await api.call("POST", "/api/v1/work-pools/default/claim", { key: V.agentKey, body: { agentId: V.agentId, slots: 1 } });
    expect(paused.json).toEqual({ paused: true, runs: [] });
    await api.call("PATCH", "/api/v1/work-pools/default", { key: V.key, body: { paused: false } });
    await api.call("POST", `/api/v1/deployments/${d.id}/pause`, { key: V.key });
    expect(await claim(api, V.agentKey, V.agentId)).toEqual([]);
    await api.call("POST", `/api/v1/deployments/${d.id}/resume`, { key: V.key });
    expect(await claim(api, V.agentKey, V.agentId)).toHaveLength(1);
  });

  it("an agent-role key may claim, heartbeat and report, and nothing else", async () => {
    const d = await deploy(api, W.key);
    for (const [method, path, body] of [
      ["GET", "/api/v1/flow-runs", undefined],
      ["GET", `/api/v1/deployments/${d.id}`, undefined],
      ["PUT", "/api/v1/deployments", { flowName: "x", name: "y", kind: "command", command: "true" }],
      ["POST", `/api/v1/deployments/${d.id}/runs`, {}],
      ["POST", "/api/v1/work-pools", { name: "new-pool" }],
      ["GET", "/api/v1/agents", undefined],
    ] as const) {
      const res = await api.call(method, path, { key: W.agentKey, body });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
  });

  it("an ad-hoc SDK run reports with its run token, which cannot touch another run", async () => {
    const created = await api.call("POST", "/api/v1/flow-runs", { key: W.key, body: { flowName: "notebook", parameters: { n: 1 } } });
    expect(created.status).toBe(201);
    expect(created.json.run.state.type).toBe("RUNNING");
    const other = await api.call("POST", "/api/v1/flow-runs", { key: W.key, body: { flowName: "notebook" } });
    const token = created.json.runToken as string;
    const wrong = await api.call("POST", `/api/v1/flow-runs/${other.json.run.id}/state`, { key: token, body: { state: { type: "COMPLETED" } } });
    expect(wrong.status).toBe(404);
    const done = await api.call("POST", `/api/v1/flow-runs/${created.json.run.id}/state`, { key: token, body: { state: { type: "COMPLETED" }, transitionId: randomUUID() } });
    expect(done.json).toMatchObject({ status: "ACCEPT", state: { type: "COMPLETED" } });
  });

  it("lists runs with filters and cursor pagination", async () => {
    const V = await orchestrationWorkspace(db, api, "lister");
    const d1 = await deploy(api, V.key, { tags: ["nightly"] });
    const d2 = await deploy(api, V.key);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await startRun(api, V.key, d1.id)).id);
    await startRun(api, V.key, d2.id);
    const page1 = await api.call("GET", `/api/v1/flow-runs?deployment=${d1.id}&limit=3`, { key: V.key });
    expect(page1.json.runs.map((r: { id: string }) => r.id)).toEqual(ids.slice(2).reverse());
    const page2 = await api.call("GET", `/api/v1/flow-runs?deployment=${d1.id}&limit=3&cursor=${page1.json.nextCursor}`, { key: V.key });
    expect(page2.json.runs.map((r: { id: string }) => r.id)).toEqual(ids.slice(0, 2).reverse());
    expect(page2.json.nextCursor).toBeNull();
    expect((await api.call("GET", "/api/v1/flow-runs?tag=nightly", { key: V.key })).json.runs).toHaveLength(5);
    expect((await api.call("GET", "/api/v1/flow-runs?state=COMPLETED", { key: V.key })).json.runs).toHaveLength(0);
  });

  it("deploying twice changes nothing and says so", async () => {
    const body = { flowName: "etl", name: "daily", kind: "command", command: "python etl.py", tags: ["a"], retries: 2 };
    const first = await api.call("PUT", "/api/v1/deployments", { key: W.key, body });
    const second = await api.call("PUT", "/api/v1/deployments", { key: W.key, body });
    expect(first.json).toMatchObject({ created: true, changed: [] });
    expect(second.json).toMatchObject({ created: false, changed: [] });
    const third = await api.call("PUT", "/api/v1/deployments", { key: W.key, body: { ...body, retries: 3 } });
    expect(third.json).toMatchObject({ created: false, changed: ["retries"] });
    const bad = await api.call("PUT", "/api/v1/deployments", { key: W.key, body: { ...body, kind: "flow" } });
    expect(bad.status).toBe(422);
    const noPool = await api.call("PUT", "/api/v1/deployments", { key: W.key, body: { ...body, workPool: "gpu" } });
    expect(noPool.status).toBe(404);
    expect(noPool.json.error.message).toContain('Work pool "gpu" not found');
  });
});
