import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { startApiServer } from "../helpers/api-server";
import { createTestDatabase } from "../helpers/db";
import { claim, deploy, orchestrationWorkspace, startRun } from "../helpers/orchestration";

const { db } = await createTestDatabase();
const api = await startApiServer(db);
const W = await orchestrationWorkspace(db, api);
const d = await deploy(api, W.key);
const run = await startRun(api, W.key, d.id);
const [claimed] = await claim(api, W.agentKey, W.agentId);

async function count(table: string) {
  const { rows } = await db.$client.query<{ n: number }>(`select count(*)::int as n from ${table} where workspace_id = $1`, [W.ws.id]);
  return rows[0].n;
}

/** A 4xx (not 500) whose JSON names the field. */
function expectRefused(res: { status: number; json: unknown }, field: string) {
  expect(res.status, JSON.stringify(res.json)).toBeGreaterThanOrEqual(400);
  expect(res.status, JSON.stringify(res.json)).toBeLessThan(500);
  expect(JSON.stringify(res.json)).toContain(field);
}

function nested(depth: number): unknown {
  let v: unknown = "leaf";
  for (let i = 0; i < depth; i++) v = { x: v };
  return v;
}

const upsert = (over: Record<string, unknown>) => ({ flowName: "train", name: "odd", kind: "command", command: "echo", ...over });

describe("odd input is refused with a 4xx naming the field, and nothing is written", () => {
  it("NUL characters in names, tags, parameters (values and keys) and state messages", async () => {
    const deployments = await count("deployments");
    const runs = await count("flow_runs");
    expectRefused(await api.call("PUT", "/api/v1/deployments", { key: W.key, body: upsert({ name: "a\u0000b" }) }), "name");
    expectRefused(await api.call("PUT", "/api/v1/deployments", { key: W.key, body: upsert({ tags: ["ok", "b\u0000d"] }) }), "tags");
    expectRefused(await api.call("PUT", "/api/v1/deployments", { key: W.key, body: upsert({ parameters: { path: "x\u0000" } }) }), "parameters");
    expect(await count("deployments")).toBe(deployments);
    const runPath = `/api/v1/deployments/${d.id}/runs`;
    expectRefused(await api.call("POST", runPath, { key: W.key, body: { parameters: { ["k\u0000"]: 1 } } }), "parameters");
    expectRefused(await api.call("POST", runPath, { key: W.key, body: { tags: ["t\u0000"] } }), "tags");
    expectRefused(await api.call("POST", runPath, { key: W.key, body: { name: "\u0000" } }), "name");
    expect(await count("flow_runs")).toBe(runs);

    // A state's message (log lines are different: their NULs are stored as U+FFFD, see logs.test.ts).
    const states = await db.$client.query("select count(*)::int as n from flow_run_states where flow_run_id = $1", [run.id]);
    const report = { runId: run.id, attempt: claimed.attempt, leaseToken: claimed.leaseToken, transitionId: randomUUID(), state: { type: "RUNNING", message: "bad \u0000 byte" } };
    expectRefused(await api.call("POST", "/api/v1/flow-runs/states", { key: W.agentKey, body: { reports: [report] } }), "reports.0.state.message");
    expect((await db.$client.query("select count(*)::int as n from flow_run_states where flow_run_id = $1", [run.id])).rows).toEqual(states.rows);
  });

  it("NUL characters through tRPC", async () => {
    const err = await W.owner.caller.runs.create({ workspace: W.ws.slug, deploymentId: d.id, tags: ["a\u0000"] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("BAD_REQUEST");
    expect((err as TRPCError).message).toContain("tags");
  });

  it("parameters nested 5,000 deep", async () => {
    const runs = await count("flow_runs");
    // Written out by hand: JSON.stringify itself overflows the stack at this depth.
    const body = `{"parameters":{"deep":${'{"x":'.repeat(5000)}"leaf"${"}".repeat(5000)}}}`;
    const res = await fetch(`${api.base}/api/v1/deployments/${d.id}/runs`, { method: "POST", headers: { authorization: `Bearer ${W.key}`, "content-type": "application/json" }, body });
    expectRefused({ status: res.status, json: await res.json() }, "parameters.deep.x.x");
    const err = await W.owner.caller.runs.create({ workspace: W.ws.slug, deploymentId: d.id, parameters: { deep: nested(5000) } }).catch((e: unknown) => e);
    expect((err as TRPCError).code).toBe("BAD_REQUEST");
    expect((err as TRPCError).message).toContain("parameters");
    expect(await count("flow_runs")).toBe(runs);
  });

  it("a body sent as text/plain", async () => {
    const res = await fetch(`${api.base}/api/v1/deployments`, {
      method: "PUT",
      headers: { authorization: `Bearer ${W.key}`, "content-type": "text/plain" },
      body: JSON.stringify(upsert({ name: "plain" })),
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { message: expect.stringContaining("Content-Type: application/json") } });
  });

  it("a log timestamp in year 0000 and a scheduled time out of Postgres' range", async () => {
    const line = { runId: run.id, attempt: claimed.attempt, seq: 2, level: "info", timestamp: "0000-01-01T00:00:00Z", message: "ancient" };
    expectRefused(await api.call("POST", "/api/v1/logs", { key: W.agentKey, body: { logs: [line] } }), "timestamp");
    const runs = await count("flow_runs");
    expectRefused(await api.call("POST", `/api/v1/deployments/${d.id}/runs`, { key: W.key, body: { scheduledTime: "0000-06-01T00:00:00Z" } }), "scheduledTime");
    expect(await count("flow_runs")).toBe(runs);
    expectRefused(await api.call("GET", "/api/v1/flow-runs?from=0000-01-01T00:00:00Z", { key: W.key }), "from");
  });

  it("a log cursor beyond int32", async () => {
    expectRefused(await api.call("GET", `/api/v1/flow-runs/${run.id}/logs?after=1:9999999999`, { key: W.key }), "after");
  });

  it("36 dashes as an id is not found, as any id of no object is", async () => {
    const dashes = "-".repeat(36);
    for (const path of [`/api/v1/flow-runs/${dashes}`, `/api/v1/deployments/${dashes}`, `/api/v1/deployments/${dashes}/pause`]) {
      const res = await api.call(path.endsWith("pause") ? "POST" : "GET", path, { key: W.key });
      expect(res.status, path).toBe(404);
    }
    const hb = await api.call("POST", `/api/v1/agents/${dashes}/heartbeat`, { key: W.agentKey, body: { runs: [] } });
    expect(hb.status, JSON.stringify(hb.json)).toBe(404);
  });
});
