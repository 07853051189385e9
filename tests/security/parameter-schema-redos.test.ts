import { describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { startApiServer } from "../helpers/api-server";
import { createTestDatabase } from "../helpers/db";
import { deploy, orchestrationWorkspace } from "../helpers/orchestration";

const { db } = await createTestDatabase();
const api = await startApiServer(db);
const A = await orchestrationWorkspace(db, api, "agent-a");
const B = await orchestrationWorkspace(db, api, "agent-b");

/** Starts a request and, at once, another workspace's; both must answer within a generous guard. */
async function withBystander(request: () => Promise<{ status: number; json: Record<string, unknown> }>) {
  const t0 = performance.now();
  const [res, other] = await Promise.all([
    request().then((r) => ({ ...r, ms: performance.now() - t0 })),
    api.call("GET", "/api/v1/me", { key: B.key }).then((r) => ({ ...r, ms: performance.now() - t0 })),
  ]);
  expect(other.status).toBe(200);
  expect(other.ms, "another workspace's request waited").toBeLessThan(1000);
  expect(res.ms, "the request itself took").toBeLessThan(1000);
  return res;
}

async function runCount() {
  const { rows } = await db.$client.query<{ n: number }>("select count(*)::int as n from flow_runs where workspace_id = $1", [A.ws.id]);
  return rows[0].n;
}

describe("user-written regular expressions in parameter schemas run in linear time", () => {
  it("a catastrophic `pattern` answers 422 at once and does not stall another workspace", async () => {
    const d = await deploy(api, A.key, { parameterSchema: { type: "object", properties: { name: { type: "string", pattern: "^(a+)+$" } } } });
    const before = await runCount();
    const res = await withBystander(() => api.call("POST", `/api/v1/deployments/${d.id}/runs`, { key: A.key, body: { parameters: { name: "a".repeat(40) + "b" } } }));
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.json)).toContain("name");
    expect(await runCount()).toBe(before);
    // The pattern still means what it says.
    const ok = await api.call("POST", `/api/v1/deployments/${d.id}/runs`, { key: A.key, body: { parameters: { name: "aaaa" } } });
    expect(ok.status).toBe(201);
  });

  it("a catastrophic `patternProperties` key is matched in linear time, through tRPC too", async () => {
    const d = await deploy(api, A.key, { parameterSchema: { type: "object", patternProperties: { "^(a|aa)+$": { type: "number" } } } });
    const evil = { ["a".repeat(60) + "!"]: "x", ["a".repeat(6)]: "not a number" };
    const res = await withBystander(() => api.call("POST", `/api/v1/deployments/${d.id}/runs`, { key: A.key, body: { parameters: evil } }));
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.json)).toContain("aaaaaa");
    const t0 = performance.now();
    const err = await A.owner.caller.runs.create({ workspace: A.ws.slug, deploymentId: d.id, parameters: evil }).catch((e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("UNPROCESSABLE_CONTENT");
  });

  it("the `url` format (a backtracking regex in ajv-formats) answers at once on a hostile value", async () => {
    const d = await deploy(api, A.key, { parameterSchema: { type: "object", properties: { site: { type: "string", format: "url" } } } });
    const res = await withBystander(() =>
      api.call("POST", `/api/v1/deployments/${d.id}/runs`, { key: A.key, body: { parameters: { site: "http://" + "a:".repeat(30_000) } } }),
    );
    expect(res.status).toBe(422);
    const ok = await api.call("POST", `/api/v1/deployments/${d.id}/runs`, { key: A.key, body: { parameters: { site: "https://example.com/a?b=c" } } });
    expect(ok.status).toBe(201);
  });

  it("refuses, when saved, a pattern RE2 cannot run (backreference, lookahead), naming it", async () => {
    for (const pattern of ["^(a)\\1$", "^(?=a)b"]) {
      const name = `bad-${pattern.length}`;
      const res = await api.call("PUT", "/api/v1/deployments", {
        key: A.key,
        body: { flowName: "train", name, kind: "command", command: "echo", parameterSchema: { properties: { x: { type: "string", pattern } } } },
      });
      expect(res.status).toBe(422);
      expect(res.json.error.message).toContain(`"${pattern}"`);
      expect(res.json.error.message).toContain("backreferences or lookahead");
      const { rows } = await db.$client.query("select 1 from deployments where workspace_id = $1 and name = $2", [A.ws.id, name]);
      expect(rows).toHaveLength(0);
    }
  });

  it("bounds a schema's size (64 KiB) and depth (32)", async () => {
    const big = { type: "object", properties: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`field_${i}`, { type: "string", description: "x".repeat(20) }])) };
    let deep: Record<string, unknown> = { type: "string" };
    // 20 × properties.x: 41 levels of JSON, over the schema's 32 but under the 64 any JSON body may have.
    for (let i = 0; i < 20; i++) deep = { type: "object", properties: { x: deep } };
    for (const [schema, says] of [
      [big, "64 KiB"],
      [deep, "deeper than 32"],
    ] as const) {
      const res = await api.call("PUT", "/api/v1/deployments", {
        key: A.key,
        body: { flowName: "train", name: "bounded", kind: "command", command: "echo", parameterSchema: schema },
      });
      expect(res.status).toBe(422);
      expect(res.json.error.message).toContain("parameterSchema");
      expect(res.json.error.message).toContain(says);
    }
    const { rows } = await db.$client.query("select 1 from deployments where workspace_id = $1 and name = 'bounded'", [A.ws.id]);
    expect(rows).toHaveLength(0);
  });
});
