import { describe, expect, it } from "vitest";
import { cascadeCancellations } from "../server/runs/cascade-cancellations";
import { MAX_CHILD_DEPTH } from "../server/runs/child-runs";
import { startApiServer } from "./helpers/api-server";
import { addMember, createUser } from "./helpers/fixtures";
import { startNextAttempt } from "./helpers/report-fixtures";
import { createTestDatabase } from "./helpers/db";
import { claim, deploy, history, orchestrationWorkspace, report, startRun } from "./helpers/orchestration";

const { db } = await createTestDatabase();
const api = await startApiServer(db);

/** A workspace with a parent deployment whose run is claimed and RUNNING (its run token in hand), and a child deployment. */
async function runningParent(name: string, childOver: Record<string, unknown> = {}) {
  const W = await orchestrationWorkspace(db, api, name);
  const parentDep = await deploy(api, W.key, { flowName: "pipeline", name: "nightly" });
  const childDep = await deploy(api, W.key, { flowName: "train", name: "gpu", ...childOver });
  const parent = await startRun(api, W.key, parentDep.id);
  const [claimed] = await claim(api, W.agentKey, W.agentId);
  await report(api, W.agentKey, claimed, "RUNNING");
  const start = (body: Record<string, unknown>) => api.call("POST", `/api/v1/flow-runs/${parent.id}/children`, { key: claimed.runToken, body });
  return { W, parent, claimed, childDep, start };
}

describe("starting child runs with a run token", () => {
  it("starts a run of a deployment named flow/deployment as the run's child, named after the parent in its history", async () => {
    const { W, parent, start, childDep } = await runningParent("names");
    const res = await start({ deployment: "train/gpu", parameters: { epochs: 3 }, idempotencyKey: "0" });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    expect(res.json).toMatchObject({ created: true, run: { parentRunId: parent.id, deploymentId: childDep.id, parameters: { epochs: 3 }, state: { type: "SCHEDULED" } } });
    const { rows } = await db.$client.query("select actor_label from flow_run_states where flow_run_id = $1", [res.json.run.id]);
    expect(rows[0].actor_label).toBe(`run:${(await api.call("GET", `/api/v1/flow-runs/${parent.id}`, { key: W.key })).json.name}`);
    // By id too.
    expect((await start({ deployment: childDep.id, idempotencyKey: "1" })).json.run.parentRunId).toBe(parent.id);
  });

  it("the same key again returns the first child: a retried request never makes two", async () => {
    const { W, parent, start } = await runningParent("idem");
    const first = await start({ deployment: "train/gpu", idempotencyKey: "0" });
    const again = await start({ deployment: "train/gpu", idempotencyKey: "0" });
    expect(again.status).toBe(201);
    expect(again.json).toMatchObject({ created: false, run: { id: first.json.run.id } });
    // Two at once with the next key (a retry racing the original request): still one child.
    const racing = await Promise.all([start({ deployment: "train/gpu", idempotencyKey: "1" }), start({ deployment: "train/gpu", idempotencyKey: "1" })]);
    expect(racing.map((r) => r.json.created).sort()).toEqual([false, true]);
    expect(racing[0].json.run.id).toBe(racing[1].json.run.id);
    const list = await api.call("GET", `/api/v1/flow-runs?parentRunId=${parent.id}`, { key: W.key });
    expect(list.json.runs.map((r: { id: string }) => r.id)).toEqual([racing[0].json.run.id, first.json.run.id]);
    // A new attempt of the parent starts its own children: key "0" again makes a new one.
    const next = await startNextAttempt(db, { id: parent.id, workspaceId: W.ws.id });
    const retried = await api.call("POST", `/api/v1/flow-runs/${parent.id}/children`, { key: next.token, body: { deployment: "train/gpu", idempotencyKey: "0" } });
    expect(retried.json.created).toBe(true);
    expect(retried.json.run.id).not.toBe(first.json.run.id);
    const doc = (await api.call("GET", "/api/v1/openapi.json")).json;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/flow-runs/{id}/children", "/api/v1/flow-runs/{id}/children/{childId}"]));
  });

  it("refuses parameters the child's schema rejects (422 with field errors) and names an unknown deployment", async () => {
    const schema = { type: "object", properties: { epochs: { type: "integer", minimum: 1 } }, required: ["epochs"] };
    const { start } = await runningParent("schema", { parameterSchema: schema });
    const bad = await start({ deployment: "train/gpu", parameters: { epochs: 0 }, idempotencyKey: "0" });
    expect(bad.status).toBe(422);
    expect(bad.json.error.details.fieldErrors).toEqual({ epochs: ["must be >= 1"] });
    const missing = await start({ deployment: "train/cpu", idempotencyKey: "1" });
    expect(missing.status).toBe(404);
    expect(missing.json.error.message).toContain('Deployment "train/cpu" not found in this workspace');
  });

  it("a run that is not running starts no children; API keys start none", async () => {
    const { W, parent, claimed, start } = await runningParent("ended");
    expect((await api.call("POST", `/api/v1/flow-runs/${parent.id}/children`, { key: W.key, body: { deployment: "train/gpu", idempotencyKey: "0" } })).status).toBe(403);
    await report(api, W.agentKey, claimed, "COMPLETED");
    const res = await start({ deployment: "train/gpu", idempotencyKey: "0" });
    expect(res.status).toBe(409);
    expect(res.json.error.message).toContain("only a running flow starts child runs");
  });

  it("children nest at most MAX_CHILD_DEPTH deep: a flow that starts its own deployment stops there", async () => {
    const { W, parent, start, childDep } = await runningParent("depth");
    // Ancestors made directly: each run the child of the next, the running parent at the bottom.
    const chain = [];
    for (let i = 0; i < MAX_CHILD_DEPTH; i++) chain.push((await startRun(api, W.key, childDep.id)).id);
    for (const [i, id] of chain.entries()) await db.$client.query("update flow_runs set parent_run_id = $1 where id = $2", [chain[i + 1] ?? null, id]);
    await db.$client.query("update flow_runs set parent_run_id = $1 where id = $2", [chain[1], parent.id]);
    expect((await start({ deployment: "train/gpu", idempotencyKey: "0" })).status).toBe(201);
    await db.$client.query("update flow_runs set parent_run_id = $1 where id = $2", [chain[0], parent.id]);
    const deep = await start({ deployment: "train/gpu", idempotencyKey: "1" });
    expect(deep.status).toBe(409);
    expect(deep.json.error.message).toBe(`This run is nested ${MAX_CHILD_DEPTH} child runs deep; children nest at most ${MAX_CHILD_DEPTH} deep. Does a flow start its own deployment?`);
  });

  it("the parent reads its own children (list and one), not other runs", async () => {
    const { W, parent, claimed, start } = await runningParent("reads");
    const a = (await start({ deployment: "train/gpu", idempotencyKey: "0" })).json.run;
    const b = (await start({ deployment: "train/gpu", idempotencyKey: "1" })).json.run;
    const list = await api.call("GET", `/api/v1/flow-runs/${parent.id}/children`, { key: claimed.runToken });
    expect(list.json.runs.map((r: { id: string }) => r.id)).toEqual([a.id, b.id]);
    expect((await api.call("GET", `/api/v1/flow-runs/${parent.id}/children/${a.id}`, { key: claimed.runToken })).json).toMatchObject({ id: a.id, state: { type: "SCHEDULED" } });
    // The parent itself is not its own child; a person's key reads any run's children.
    expect((await api.call("GET", `/api/v1/flow-runs/${parent.id}/children/${parent.id}`, { key: claimed.runToken })).status).toBe(404);
    expect((await api.call("GET", `/api/v1/flow-runs/${parent.id}/children`, { key: W.key })).json.runs).toHaveLength(2);
    // An agent-role key claims and reports; it reads no runs.
    expect((await api.call("GET", `/api/v1/flow-runs/${parent.id}/children`, { key: W.agentKey })).status).toBe(403);
    const other = await startRun(api, W.key, a.deploymentId);
    expect((await api.call("GET", `/api/v1/flow-runs/${other.id}/children`, { key: claimed.runToken })).status).toBe(404);
  });
});

describe("cancelling a parent cancels its children", () => {
  it("a person's cancel of the parent cancels a scheduled child at once and a running one through Cancelling", async () => {
    const { W, parent, start } = await runningParent("cascade");
    const running = (await start({ deployment: "train/gpu", idempotencyKey: "0" })).json.run;
    const waiting = (await start({ deployment: "train/gpu", idempotencyKey: "1" })).json.run;
    const [c] = await claim(api, W.agentKey, W.agentId);
    expect(c.id).toBe(running.id);
    await report(api, W.agentKey, c, "RUNNING");
    const cancelled = await api.call("POST", `/api/v1/flow-runs/${parent.id}/cancel`, { key: W.key });
    expect(cancelled.json.state.type).toBe("CANCELLING");
    const get = async (id: string) => (await api.call("GET", `/api/v1/flow-runs/${id}`, { key: W.key })).json;
    expect((await get(running.id)).state).toMatchObject({ type: "CANCELLING" });
    expect((await get(waiting.id)).state).toMatchObject({ type: "CANCELLED", message: expect.stringContaining("Cancelled with its parent run") });
    expect(await history(db, waiting.id)).toEqual(["SCHEDULED/Scheduled#0", "CANCELLED/Cancelled#0"]);
  });

  it("the services loop cancels the children of a parent that ended Crashed, and leaves a Failed parent's", async () => {
    const { W, claimed, start } = await runningParent("crashed");
    const orphan = (await start({ deployment: "train/gpu", idempotencyKey: "0" })).json.run;
    await report(api, W.agentKey, claimed, "CRASHED", { message: "the process was killed" });
    await cascadeCancellations(db);
    const got = (await api.call("GET", `/api/v1/flow-runs/${orphan.id}`, { key: W.key })).json;
    expect(got.state).toMatchObject({ type: "CANCELLED", message: expect.stringContaining("is Crashed") });

    const second = await runningParent("failed");
    const kept = (await second.start({ deployment: "train/gpu", idempotencyKey: "0" })).json.run;
    await report(api, second.W.agentKey, second.claimed, "FAILED", { message: "boom" });
    await cascadeCancellations(db);
    expect((await api.call("GET", `/api/v1/flow-runs/${kept.id}`, { key: second.W.key })).json.state.type).toBe("SCHEDULED");
  });
});

describe("runs.lineage (the run page's panel)", () => {
  it("the parent lists its children with their states; a child names its parent", async () => {
    const { W, parent, claimed, start } = await runningParent("lineage");
    const a = (await start({ deployment: "train/gpu", idempotencyKey: "0" })).json.run;
    const b = (await start({ deployment: "train/gpu", idempotencyKey: "1" })).json.run;
    const caller = W.owner.caller;
    const mine = await caller.runs.lineage({ workspace: W.ws.slug, runId: parent.id });
    expect(mine.parent).toBeNull();
    expect(mine.children.map((c) => [c.id, c.state.type])).toEqual([
      [a.id, "SCHEDULED"],
      [b.id, "SCHEDULED"],
    ]);
    expect(mine.triggered).toEqual([]);
    await api.call("POST", `/api/v1/flow-runs/${b.id}/cancel`, { key: W.key });
    expect((await caller.runs.lineage({ workspace: W.ws.slug, runId: parent.id })).children[1].state.type).toBe("CANCELLED");
    const child = await caller.runs.lineage({ workspace: W.ws.slug, runId: a.id });
    expect(child.parent).toMatchObject({ id: parent.id, state: { type: "RUNNING" } });
    expect(child.children).toEqual([]);
    expect(claimed.id).toBe(parent.id);
    // Any member reads it: a viewer too (in the app, and with a viewer key over REST).
    const viewer = await createUser(db);
    await addMember(db, W.ws.id, W.owner.user.id, viewer.user, "viewer");
    expect((await viewer.caller.runs.lineage({ workspace: W.ws.slug, runId: parent.id })).children).toHaveLength(2);
    const { key: viewerKey } = await caller.apiKeys.create({ workspace: W.ws.slug, name: "viewer", role: "viewer" });
    expect((await api.call("GET", `/api/v1/flow-runs/${parent.id}/children`, { key: viewerKey })).json.runs).toHaveLength(2);
  });
});
