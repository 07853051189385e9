import { asc, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { taskRunStates, taskRuns } from "../server/db/schema";
import { uuidv7 } from "../server/db/uuidv7";
import { startApiServer } from "./helpers/api-server";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers } from "./helpers/fixtures";
import { createRunningRun, startNextAttempt } from "./helpers/report-fixtures";

const { db } = await createTestDatabase();
const api = await startApiServer(db);

async function workspaceWithKeys() {
  const w = await createWorkspaceWithMembers(db);
  const key = async (role: "owner" | "developer" | "viewer" | "agent") => (await w.owner.caller.apiKeys.create({ workspace: w.ws.slug, name: `${role}-key`, role })).key;
  return { ...w, ownerKey: await key("owner"), developerKey: await key("developer"), agentKey: await key("agent"), viewerKey: await key("viewer") };
}

const history = async (taskRunId: string) =>
  (await db.select().from(taskRunStates).where(eq(taskRunStates.taskRunId, taskRunId)).orderBy(asc(taskRunStates.id))).map((s) => `${s.type}/${s.name}`);

const report = (key: string, reports: unknown[]) => api.call("POST", "/api/v1/task-runs/states", { key, body: { reports } });

describe("POST /api/v1/task-runs", () => {
  it("creates a task run once per (run, attempt, task key, dynamic key) and returns the same one again", async () => {
    const w = await workspaceWithKeys();
    const { run, token } = await createRunningRun(db, w.ws.id);
    const res = await api.call("POST", "/api/v1/task-runs", { key: token, body: { runId: run.id, taskKey: "etl:extract", cacheKey: "abc" } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      runId: run.id,
      flowRunAttempt: 1,
      taskKey: "etl:extract",
      dynamicKey: "",
      name: "etl:extract",
      state: { type: "PENDING", name: "Pending", message: null },
      cacheKey: "abc",
      attempt: 1,
      upstreamTaskRunIds: [],
      startTime: null,
      endTime: null,
    });
    const again = await api.call("POST", "/api/v1/task-runs", { key: token, body: { runId: run.id, taskKey: "etl:extract", name: "renamed", state: { type: "RUNNING" } } });
    expect(again.status).toBe(200);
    expect(again.json).toEqual(res.json);
    const second = await api.call("POST", "/api/v1/task-runs", { key: token, body: { runId: run.id, taskKey: "etl:extract", dynamicKey: "1" } });
    expect(second.status).toBe(201);
    expect(second.json.id).not.toBe(res.json.id);
    expect(await history(res.json.id)).toEqual(["PENDING/Pending"]);

    // Two identical creates at once (a retry racing the original) still make one task run.
    const racing = await Promise.all([1, 2, 3].map(() => api.call("POST", "/api/v1/task-runs", { key: token, body: { runId: run.id, taskKey: "etl:load" } })));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(racing.map((r) => r.json.id)).size).toBe(1);
    expect(await db.select().from(taskRuns).where(eq(taskRuns.flowRunId, run.id))).toHaveLength(3);
  });

  it("takes an initial state and upstream task runs of the same flow run only", async () => {
    const w = await workspaceWithKeys();
    const { run, token } = await createRunningRun(db, w.ws.id);
    const elsewhere = await createRunningRun(db, w.ws.id);
    const up = (await api.call("POST", "/api/v1/task-runs", { key: token, body: { runId: run.id, taskKey: "a", state: { type: "COMPLETED", name: "Cached" } } })).json;
    expect(up.state).toMatchObject({ type: "COMPLETED", name: "Cached" });
    expect(up.endTime).not.toBeNull();
    const foreignUp = (await api.call("POST", "/api/v1/task-runs", { key: elsewhere.token, body: { runId: elsewhere.run.id, taskKey: "x" } })).json;

    const down = await api.call("POST", "/api/v1/task-runs", {
      key: w.agentKey,
      body: { runId: run.id, taskKey: "b", name: "Load", upstreamTaskRunIds: [up.id, up.id], state: { type: "RUNNING", message: "go" } },
    });
    expect(down.status).toBe(201);
    expect(down.json).toMatchObject({ name: "Load", upstreamTaskRunIds: [up.id], state: { type: "RUNNING", name: "Running", message: "go" } });
    expect(down.json.startTime).not.toBeNull();

    for (const stranger of [foreignUp.id, uuidv7()]) {
      const res = await api.call("POST", "/api/v1/task-runs", { key: token, body: { runId: run.id, taskKey: "c", upstreamTaskRunIds: [up.id, stranger] } });
      expect(res.status).toBe(404);
      expect(res.json.error.message).toContain(stranger);
    }
    expect(await db.select().from(taskRuns).where(eq(taskRuns.taskKey, "c"))).toHaveLength(0);
    const badName = await api.call("POST", "/api/v1/task-runs", { key: token, body: { runId: run.id, taskKey: "d", state: { type: "FAILED", name: "Completed" } } });
    expect(badName.status).toBe(422);
  });

  it("keeps a run token to its own run (404) and refuses writes from an earlier attempt (409)", async () => {
    const w = await workspaceWithKeys();
    const mine = await createRunningRun(db, w.ws.id);
    const other = await createRunningRun(db, w.ws.id);
    const foreign = await api.call("POST", "/api/v1/task-runs", { key: mine.token, body: { runId: other.run.id, taskKey: "t" } });
    expect(foreign.status).toBe(404);

    const next = await startNextAttempt(db, mine.run);
    const stale = await api.call("POST", "/api/v1/task-runs", { key: mine.token, body: { runId: mine.run.id, taskKey: "t" } });
    expect(stale.status).toBe(409);
    expect(stale.json.error.message).toMatch(/attempt 1 .* attempt 2/);
    const staleByKey = await api.call("POST", "/api/v1/task-runs", { key: w.ownerKey, body: { runId: mine.run.id, taskKey: "t", flowRunAttempt: 1 } });
    expect(staleByKey.status).toBe(409);
    expect(await db.select().from(taskRuns).where(inArray(taskRuns.flowRunId, [mine.run.id, other.run.id]))).toHaveLength(0);

    const current = await api.call("POST", "/api/v1/task-runs", { key: next.token, body: { runId: mine.run.id, taskKey: "t" } });
    expect(current.status).toBe(201);
    expect(current.json.flowRunAttempt).toBe(2);
    const byKey = await api.call("POST", "/api/v1/task-runs", { key: w.developerKey, body: { runId: mine.run.id, taskKey: "t" } });
    expect(byKey.json.id).toBe(current.json.id);
  });

  it("needs a role that may report", async () => {
    const w = await workspaceWithKeys();
    const { run } = await createRunningRun(db, w.ws.id);
    expect((await api.call("POST", "/api/v1/task-runs", { key: w.viewerKey, body: { runId: run.id, taskKey: "t" } })).status).toBe(403);
    expect((await report(w.viewerKey, [{ taskRunId: uuidv7(), state: { type: "RUNNING" } }])).status).toBe(403);
  });
});

describe("POST /api/v1/task-runs/batch", () => {
  it("creates many task runs with the client's ids and upstreams inside the batch, idempotently", async () => {
    const w = await workspaceWithKeys();
    const { run, token } = await createRunningRun(db, w.ws.id);
    const [extract, transform, load] = [uuidv7(), uuidv7(), uuidv7()];
    const body = {
      runId: run.id,
      taskRuns: [
        { id: extract, taskKey: "extract", state: { type: "RUNNING" } },
        { id: transform, taskKey: "transform", upstreamTaskRunIds: [extract], state: { type: "COMPLETED", name: "Cached" } },
        { id: load, taskKey: "load", dynamicKey: "1", upstreamTaskRunIds: [extract, transform] },
      ],
    };
    const res = await api.call("POST", "/api/v1/task-runs/batch", { key: token, body });
    expect(res.status).toBe(200);
    expect(res.json.taskRuns).toEqual([
      { id: extract, requestedId: extract, created: true },
      { id: transform, requestedId: transform, created: true },
      { id: load, requestedId: load, created: true },
    ]);
    const list = await api.call("GET", `/api/v1/flow-runs/${run.id}/task-runs`, { key: w.ownerKey });
    type Listed = { taskKey: string; state: { name: string }; upstreamTaskRunIds: string[]; startTime: string | null; endTime: string | null };
    const rows = (list.json.taskRuns as Listed[]).map((t) => [t.taskKey, t.state.name, t.upstreamTaskRunIds, Boolean(t.startTime), Boolean(t.endTime)]);
    expect(rows.sort((x, y) => String(x[0]).localeCompare(String(y[0])))).toEqual([
      ["extract", "Running", [], true, false],
      ["load", "Pending", [extract, transform], false, false],
      ["transform", "Cached", [extract], true, true],
    ]);
    expect(await history(transform)).toEqual(["COMPLETED/Cached"]);

    // The same batch again (a lost answer), with new ids for the same keys: the existing rows and ids come back.
    const again = await api.call("POST", "/api/v1/task-runs/batch", { key: token, body: { ...body, taskRuns: body.taskRuns.map((t) => ({ ...t, id: uuidv7(), upstreamTaskRunIds: [] })) } });
    expect(again.json.taskRuns.map((t: { id: string; created: boolean }) => [t.id, t.created])).toEqual([
      [extract, false],
      [transform, false],
      [load, false],
    ]);
    expect(await db.select().from(taskRuns).where(eq(taskRuns.flowRunId, run.id))).toHaveLength(3);
  });

  it("keeps the client's times of creation and state changes (reports travel in batches), never in the future", async () => {
    const w = await workspaceWithKeys();
    const { run, token } = await createRunningRun(db, w.ws.id);
    const t0 = Date.now() - 10_000;
    const id = uuidv7();
    const iso = (ms: number) => new Date(ms).toISOString();
    await api.call("POST", "/api/v1/task-runs/batch", { key: token, body: { runId: run.id, taskRuns: [{ id, taskKey: "fit", state: { type: "RUNNING" }, timestamp: iso(t0) }] } });
    const res = await report(token, [
      { taskRunId: id, state: { type: "COMPLETED" }, timestamp: iso(t0 + 4_000) },
    ]);
    expect(res.status).toBe(200);
    const [row] = await db.select().from(taskRuns).where(eq(taskRuns.id, id));
    expect([row.startTime?.getTime(), row.endTime?.getTime(), row.stateTimestamp.getTime()]).toEqual([t0, t0 + 4_000, t0 + 4_000]);
    const states = await db.select().from(taskRunStates).where(eq(taskRunStates.taskRunId, id)).orderBy(asc(taskRunStates.id));
    expect(states.map((s) => s.timestamp.getTime())).toEqual([t0, t0 + 4_000]);

    const future = uuidv7();
    await api.call("POST", "/api/v1/task-runs/batch", { key: token, body: { runId: run.id, taskRuns: [{ id: future, taskKey: "late", state: { type: "RUNNING" }, timestamp: iso(Date.now() + 3_600_000) }] } });
    const [f] = await db.select().from(taskRuns).where(eq(taskRuns.id, future));
    expect(f.startTime!.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("refuses a duplicate key in one batch (400), an unknown upstream (404) and an earlier attempt's token (409), creating nothing", async () => {
    const w = await workspaceWithKeys();
    const { run, token } = await createRunningRun(db, w.ws.id);
    const dup = await api.call("POST", "/api/v1/task-runs/batch", { key: token, body: { runId: run.id, taskRuns: [{ id: uuidv7(), taskKey: "a" }, { id: uuidv7(), taskKey: "a" }] } });
    expect(dup.status).toBe(400);
    const unknown = await api.call("POST", "/api/v1/task-runs/batch", { key: token, body: { runId: run.id, taskRuns: [{ id: uuidv7(), taskKey: "a" }, { id: uuidv7(), taskKey: "b", upstreamTaskRunIds: [uuidv7()] }] } });
    expect(unknown.status).toBe(404);
    await startNextAttempt(db, run);
    const stale = await api.call("POST", "/api/v1/task-runs/batch", { key: token, body: { runId: run.id, taskRuns: [{ id: uuidv7(), taskKey: "a" }] } });
    expect(stale.status).toBe(409);
    expect(await db.select().from(taskRuns).where(eq(taskRuns.flowRunId, run.id))).toHaveLength(0);
  });
});

describe("POST /api/v1/task-runs/states", () => {
  it("applies a batch in order, sets times and history, keeps terminal states final, and ignores a re-sent batch", async () => {
    const w = await workspaceWithKeys();
    const { run, token } = await createRunningRun(db, w.ws.id);
    const create = async (taskKey: string) => (await api.call("POST", "/api/v1/task-runs", { key: token, body: { runId: run.id, taskKey } })).json;
    const a = await create("a");
    const b = await create("b");
    const batch = [
      { taskRunId: a.id, state: { type: "RUNNING" }, transitionId: uuidv7() },
      { taskRunId: b.id, state: { type: "RUNNING" } },
      { taskRunId: a.id, state: { type: "COMPLETED", message: "42 rows" } },
    ];
    const res = await report(token, batch);
    expect(res.status).toBe(200);
    expect(res.json.results.map((r: { taskRunId: string; status: string; state: { type: string } }) => [r.taskRunId, r.status, r.state.type])).toEqual([
      [a.id, "ACCEPT", "RUNNING"],
      [b.id, "ACCEPT", "RUNNING"],
      [a.id, "ACCEPT", "COMPLETED"],
    ]);
    const [rowA] = await db.select().from(taskRuns).where(eq(taskRuns.id, a.id));
    expect(rowA).toMatchObject({ stateType: "COMPLETED", stateName: "Completed", stateMessage: "42 rows", attempt: 1 });
    expect(rowA.startTime).not.toBeNull();
    expect(rowA.endTime!.getTime()).toBeGreaterThanOrEqual(rowA.startTime!.getTime());
    expect(await history(a.id)).toEqual(["PENDING/Pending", "RUNNING/Running", "COMPLETED/Completed"]);

    const resent = await report(token, batch);
    expect(resent.json.results.map((r: { status: string; replayed?: boolean }) => [r.status, r.replayed ?? false])).toEqual([
      ["REJECT", false],
      ["ACCEPT", true],
      ["ACCEPT", true],
    ]);
    expect(resent.json.results[0].reason).toContain("final");
    expect(await history(a.id)).toHaveLength(3);
    expect(await history(b.id)).toEqual(["PENDING/Pending", "RUNNING/Running"]);

    const reopen = await report(w.agentKey, [{ taskRunId: a.id, state: { type: "RUNNING" } }]);
    expect(reopen.json.results[0]).toMatchObject({ status: "REJECT", state: { type: "COMPLETED" } });
  });

  it("counts a task that runs again after a retry as a new task attempt", async () => {
    const w = await workspaceWithKeys();
    const { run, token } = await createRunningRun(db, w.ws.id);
    const t = (await api.call("POST", "/api/v1/task-runs", { key: token, body: { runId: run.id, taskKey: "flaky", state: { type: "RUNNING" } } })).json;
    await report(token, [{ taskRunId: t.id, state: { type: "SCHEDULED", name: "AwaitingRetry", message: "boom" } }]);
    const res = await report(token, [
      { taskRunId: t.id, state: { type: "RUNNING", name: "Retrying" } },
      { taskRunId: t.id, state: { type: "FAILED" } },
    ]);
    expect(res.json.results.map((r: { status: string }) => r.status)).toEqual(["ACCEPT", "ACCEPT"]);
    const [row] = await db.select().from(taskRuns).where(eq(taskRuns.id, t.id));
    expect(row).toMatchObject({ attempt: 2, stateType: "FAILED" });
    expect(row.startTime!.toISOString()).toBe(t.startTime);
    expect(await history(t.id)).toEqual(["RUNNING/Running", "SCHEDULED/AwaitingRetry", "RUNNING/Retrying", "FAILED/Failed"]);
  });

  it("refuses the whole batch for a task run that is not the caller's (404) or of an earlier attempt (409)", async () => {
    const w = await workspaceWithKeys();
    const other = await workspaceWithKeys();
    const mine = await createRunningRun(db, w.ws.id);
    const sibling = await createRunningRun(db, w.ws.id);
    const theirs = await createRunningRun(db, other.ws.id);
    const create = async (r: typeof mine, taskKey: string) => (await api.call("POST", "/api/v1/task-runs", { key: r.token, body: { runId: r.run.id, taskKey } })).json;
    const t = await create(mine, "t");
    const s = await create(sibling, "s");
    const x = await create(theirs, "x");

    for (const [key, stranger] of [
      [mine.token, s.id],
      [w.ownerKey, x.id],
      [w.ownerKey, uuidv7()],
    ]) {
      const res = await report(key, [
        { taskRunId: t.id, state: { type: "RUNNING" } },
        { taskRunId: stranger, state: { type: "CRASHED" } },
      ]);
      expect(res.status).toBe(404);
    }
    const next = await startNextAttempt(db, mine.run);
    const stale = await report(mine.token, [{ taskRunId: t.id, state: { type: "RUNNING" } }]);
    expect(stale.status).toBe(409);
    // The new attempt's token cannot change the earlier attempt's task runs either.
    expect((await report(next.token, [{ taskRunId: t.id, state: { type: "RUNNING" } }])).status).toBe(409);
    expect((await report(w.agentKey, [{ taskRunId: t.id, state: { type: "RUNNING" } }])).status).toBe(409);

    for (const id of [t.id, s.id, x.id]) expect(await history(id)).toEqual(["PENDING/Pending"]);
  });
});

describe("GET /api/v1/flow-runs/:id/task-runs", () => {
  it("lists a run's task runs with states and upstream ids, by attempt and in pages", async () => {
    const w = await workspaceWithKeys();
    const { run, token } = await createRunningRun(db, w.ws.id);
    const a = (await api.call("POST", "/api/v1/task-runs", { key: token, body: { runId: run.id, taskKey: "a" } })).json;
    const b = (await api.call("POST", "/api/v1/task-runs", { key: token, body: { runId: run.id, taskKey: "b", upstreamTaskRunIds: [a.id] } })).json;
    await report(token, [{ taskRunId: a.id, state: { type: "COMPLETED" } }]);
    const next = await startNextAttempt(db, run);
    const c = (await api.call("POST", "/api/v1/task-runs", { key: next.token, body: { runId: run.id, taskKey: "a" } })).json;

    const path = `/api/v1/flow-runs/${run.id}/task-runs`;
    const all = await api.call("GET", path, { key: w.viewerKey });
    expect(all.status).toBe(200);
    expect(all.json.taskRuns.map((t: { id: string }) => t.id)).toEqual([a.id, b.id, c.id]);
    expect(all.json.taskRuns[0].state.type).toBe("COMPLETED");
    expect(all.json.taskRuns[1].upstreamTaskRunIds).toEqual([a.id]);
    expect(all.json.nextCursor).toBeNull();
    expect((await api.call("GET", `${path}?attempt=2`, { key: w.viewerKey })).json.taskRuns.map((t: { id: string }) => t.id)).toEqual([c.id]);

    const p1 = await api.call("GET", `${path}?limit=2`, { key: next.token });
    expect(p1.json.taskRuns).toHaveLength(2);
    const p2 = await api.call("GET", `${path}?limit=2&after=${p1.json.nextCursor}`, { key: next.token });
    expect(p2.json.taskRuns.map((t: { id: string }) => t.id)).toEqual([c.id]);
    expect(p2.json.nextCursor).toBeNull();
  });

  it("refuses agent keys (403), another run's token and another workspace (404)", async () => {
    const w = await workspaceWithKeys();
    const other = await workspaceWithKeys();
    const mine = await createRunningRun(db, w.ws.id);
    const sibling = await createRunningRun(db, w.ws.id);
    const path = `/api/v1/flow-runs/${mine.run.id}/task-runs`;
    expect((await api.call("GET", path, { key: w.agentKey })).status).toBe(403);
    expect((await api.call("GET", path, { key: sibling.token })).status).toBe(404);
    expect((await api.call("GET", path, { key: other.ownerKey })).status).toBe(404);
    expect((await api.call("GET", path, { key: mine.token })).status).toBe(200);
  });
});
