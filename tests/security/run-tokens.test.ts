import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { startApiServer } from "../helpers/api-server";
import { claim, deploy, orchestrationWorkspace, report, startRun } from "../helpers/orchestration";

const { db } = await createTestDatabase();
const api = await startApiServer(db);

const line = (runId: string, attempt: number, seq: number) => ({ runId, attempt, seq, level: "info", timestamp: new Date().toISOString(), message: `line ${seq}` });

/** Every kind of write a flow process makes with its run token, as the SDK sends them; answers by route. */
async function allWrites(token: string, runId: string, attempt: number, seq: number) {
  const calls = [
    { method: "POST", path: "/api/v1/logs", body: { logs: [line(runId, attempt, seq)] } },
    { method: "POST", path: "/api/v1/artifacts", body: { runId, type: "markdown", data: { markdown: "# report" } } },
    { method: "POST", path: "/api/v1/task-runs", body: { runId, taskKey: "mod:train" } },
    { method: "POST", path: "/api/v1/task-runs/batch", body: { runId, taskRuns: [{ id: randomUUID(), taskKey: "mod:eval" }] } },
    { method: "PUT", path: `/api/v1/cache/key-${runId}`, body: { value: { poisoned: true } } },
  ];
  const out: Record<string, { status: number; json: Record<string, unknown> }> = {};
  for (const c of calls) out[`${c.method} ${c.path.replace(runId, ":id")}`] = await api.call(c.method, c.path, { key: token, body: c.body });
  return out;
}

async function rowCounts(workspaceId: string, runId: string) {
  const { rows } = await db.$client.query(
    `select (select count(*) from logs where flow_run_id = $2)::int as logs,
            (select count(*) from artifacts where flow_run_id = $2)::int as artifacts,
            (select count(*) from task_runs where flow_run_id = $2)::int as task_runs,
            (select count(*) from cache_entries where workspace_id = $1)::int as cache`,
    [workspaceId, runId],
  );
  return rows[0];
}

describe("run tokens stop writing when their attempt is over", () => {
  it("a finished run's token still flushes within the grace, then every write is refused (403 naming why) while reads work", async () => {
    const w = await orchestrationWorkspace(db, api);
    const d = await deploy(api, w.key);
    await startRun(api, w.key, d.id);
    const [run] = await claim(api, w.agentKey, w.agentId);
    await report(api, w.agentKey, run, "RUNNING");
    const during = await allWrites(run.runToken, run.id, run.attempt, 0);
    for (const [route, res] of Object.entries(during)) expect([200, 201], `${route}: ${JSON.stringify(res.json)}`).toContain(res.status);

    await report(api, w.agentKey, run, "COMPLETED");
    const lastFlush = await api.call("POST", "/api/v1/logs", { key: run.runToken, body: { logs: [line(run.id, run.attempt, 1)] } });
    expect(lastFlush.status).toBe(200);

    // The run ended longer ago than the grace (moving its end back stands in for waiting 60 s).
    await db.$client.query("update flow_runs set state_timestamp = state_timestamp - interval '61 seconds' where id = $1", [run.id]);
    const before = await rowCounts(w.ws.id, run.id);
    const after = await allWrites(run.runToken, run.id, run.attempt, 2);
    for (const [route, res] of Object.entries(after)) {
      expect(res.status, route).toBe(403);
      expect((res.json.error as { message: string }).message, route).toMatch(/attempt 1 ended \(Completed\) at .*; its run token stopped taking writes 60 s later/);
    }
    expect(await rowCounts(w.ws.id, run.id)).toEqual(before);

    const read = await api.call("GET", `/api/v1/flow-runs/${run.id}/logs`, { key: run.runToken });
    expect(read.status).toBe(200);
    expect(read.json.logs).toHaveLength(2);
  });

  it("a token of attempt 1 writes nothing once attempt 2 has started (409), not even within the grace", async () => {
    const w = await orchestrationWorkspace(db, api);
    const d = await deploy(api, w.key, { retries: 1 });
    await startRun(api, w.key, d.id);
    const [first] = await claim(api, w.agentKey, w.agentId);
    await report(api, w.agentKey, first, "RUNNING");
    expect((await report(api, w.agentKey, first, "FAILED")).state.name).toBe("AwaitingRetry");
    const [second] = await claim(api, w.agentKey, w.agentId);
    expect(second.attempt).toBe(2);
    await report(api, w.agentKey, second, "RUNNING");

    const before = await rowCounts(w.ws.id, first.id);
    const stale = await allWrites(first.runToken, first.id, 1, 0);
    for (const [route, res] of Object.entries(stale)) {
      expect(res.status, route).toBe(409);
      expect((res.json.error as { message: string }).message, route).toContain("This run token is for attempt 1");
    }
    expect(await rowCounts(w.ws.id, first.id)).toEqual(before);

    const current = await api.call("POST", "/api/v1/logs", { key: second.runToken, body: { logs: [line(second.id, 2, 0)] } });
    expect(current.status).toBe(200);
  });
});
