import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { artifacts, cacheEntries } from "../server/db/schema";
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

const runArtifacts = (runId: string) => db.select().from(artifacts).where(eq(artifacts.flowRunId, runId));

describe("artifacts", () => {
  it("stores markdown, table and link artifacts of the run token's run and lists them oldest first", async () => {
    const w = await workspaceWithKeys();
    const { run, token } = await createRunningRun(db, w.ws.id);
    const task = (await api.call("POST", "/api/v1/task-runs", { key: token, body: { runId: run.id, taskKey: "report" } })).json;
    const md = await api.call("POST", "/api/v1/artifacts", { key: token, body: { type: "markdown", description: "Summary", data: { markdown: "# Done\n42 rows" } } });
    expect(md.status).toBe(201);
    expect(md.json).toMatchObject({ runId: run.id, taskRunId: null, key: null, type: "markdown", description: "Summary", data: { markdown: "# Done\n42 rows" } });
    const table = await api.call("POST", "/api/v1/artifacts", {
      key: token,
      body: { type: "table", taskRunId: task.id, data: { columns: ["a", "b"], rows: [[1, 2], { a: 3, b: 4 }] } },
    });
    expect(table.status).toBe(201);
    expect(table.json).toMatchObject({ taskRunId: task.id, data: { columns: ["a", "b"], rows: [[1, 2], { a: 3, b: 4 }] } });
    const link = await api.call("POST", "/api/v1/artifacts", { key: w.agentKey, body: { runId: run.id, type: "link", data: { url: "https://example.com/model", title: "Model" } } });
    expect(link.status).toBe(201);

    const list = await api.call("GET", `/api/v1/flow-runs/${run.id}/artifacts`, { key: w.viewerKey });
    expect(list.status).toBe(200);
    expect(list.json.artifacts.map((a: { id: string }) => a.id)).toEqual([md.json.id, table.json.id, link.json.id]);
    const p1 = await api.call("GET", `/api/v1/flow-runs/${run.id}/artifacts?limit=2`, { key: token });
    const p2 = await api.call("GET", `/api/v1/flow-runs/${run.id}/artifacts?limit=2&after=${p1.json.nextCursor}`, { key: token });
    expect([...p1.json.artifacts, ...p2.json.artifacts].map((a: { id: string }) => a.id)).toEqual([md.json.id, table.json.id, link.json.id]);
    expect(p2.json.nextCursor).toBeNull();

    const workspaceLevel = await api.call("POST", "/api/v1/artifacts", { key: w.developerKey, body: { type: "markdown", key: "notes", data: { markdown: "hi" } } });
    expect(workspaceLevel.status).toBe(201);
    expect(workspaceLevel.json.runId).toBeNull();
  });

  it("checks data against the type and refuses bad keys and foreign task runs", async () => {
    const w = await workspaceWithKeys();
    const { run, token } = await createRunningRun(db, w.ws.id);
    const other = await createRunningRun(db, w.ws.id);
    const otherTask = (await api.call("POST", "/api/v1/task-runs", { key: other.token, body: { runId: other.run.id, taskKey: "t" } })).json;
    const invalid = [
      { type: "markdown", data: { text: "no" } },
      { type: "markdown", data: { markdown: 5 } },
      { type: "table", data: { rows: "nope" } },
      { type: "table", data: { columns: [1], rows: [] } },
      { type: "link", data: { url: "javascript:alert(1)" } },
      { type: "link", data: { url: "ftp://example.com/file" } },
      { type: "image", data: {} },
      { type: "markdown", key: "Has Spaces", data: { markdown: "x" } },
    ];
    for (const body of invalid) {
      const res = await api.call("POST", "/api/v1/artifacts", { key: token, body });
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    const foreignTask = await api.call("POST", "/api/v1/artifacts", { key: token, body: { type: "markdown", taskRunId: otherTask.id, data: { markdown: "x" } } });
    expect(foreignTask.status).toBe(404);
    const taskWithoutRun = await api.call("POST", "/api/v1/artifacts", { key: w.ownerKey, body: { type: "markdown", taskRunId: otherTask.id, data: { markdown: "x" } } });
    expect(taskWithoutRun.status).toBe(400);
    const nul = await api.call("POST", "/api/v1/artifacts", { key: token, body: { type: "markdown", data: { markdown: "a\u0000b" } } });
    expect(nul.status).toBe(422);
    expect(nul.json.error.details.fieldErrors).toHaveProperty(["data.markdown"]);
    expect(await runArtifacts(run.id)).toHaveLength(0);
  });

  it("keeps a run token to its own run (404), refuses an earlier attempt (409) and agent keys reading (403)", async () => {
    const w = await workspaceWithKeys();
    const mine = await createRunningRun(db, w.ws.id);
    const sibling = await createRunningRun(db, w.ws.id);
    const body = { type: "markdown", data: { markdown: "x" } };
    expect((await api.call("POST", "/api/v1/artifacts", { key: mine.token, body: { ...body, runId: sibling.run.id } })).status).toBe(404);
    await startNextAttempt(db, mine.run);
    const stale = await api.call("POST", "/api/v1/artifacts", { key: mine.token, body });
    expect(stale.status).toBe(409);
    expect(await runArtifacts(mine.run.id)).toHaveLength(0);
    expect(await runArtifacts(sibling.run.id)).toHaveLength(0);

    expect((await api.call("POST", "/api/v1/artifacts", { key: w.viewerKey, body: { ...body, runId: mine.run.id } })).status).toBe(403);
    expect((await api.call("GET", `/api/v1/flow-runs/${mine.run.id}/artifacts`, { key: w.agentKey })).status).toBe(403);
    expect((await api.call("GET", "/api/v1/artifacts?key=x", { key: w.agentKey })).status).toBe(403);
    expect((await api.call("GET", `/api/v1/flow-runs/${mine.run.id}/artifacts`, { key: sibling.token })).status).toBe(404);
  });

  it("keeps the history of a keyed artifact, newest first, in the workspace only", async () => {
    const w = await workspaceWithKeys();
    const other = await workspaceWithKeys();
    const first = await createRunningRun(db, w.ws.id);
    const second = await createRunningRun(db, w.ws.id);
    const post = async (key: string, markdown: string) =>
      (await api.call("POST", "/api/v1/artifacts", { key, body: { type: "markdown", key: "daily-report", data: { markdown } } })).json;
    const v1 = await post(first.token, "v1");
    const v2 = await post(second.token, "v2");
    const v3 = await post(second.token, "v3");
    await post(other.ownerKey, "someone else's");

    const all = await api.call("GET", "/api/v1/artifacts?key=daily-report", { key: w.viewerKey });
    expect(all.json.artifacts.map((a: { id: string }) => a.id)).toEqual([v3.id, v2.id, v1.id]);
    const p1 = await api.call("GET", "/api/v1/artifacts?key=daily-report&limit=2", { key: w.viewerKey });
    expect(p1.json.artifacts.map((a: { id: string }) => a.id)).toEqual([v3.id, v2.id]);
    const p2 = await api.call("GET", `/api/v1/artifacts?key=daily-report&limit=2&after=${p1.json.nextCursor}`, { key: w.viewerKey });
    expect(p2.json).toEqual({ artifacts: [expect.objectContaining({ id: v1.id })], nextCursor: null });
    // A run token reads its own run's versions only.
    const own = await api.call("GET", "/api/v1/artifacts?key=daily-report", { key: first.token });
    expect(own.json.artifacts.map((a: { id: string }) => a.id)).toEqual([v1.id]);
    expect((await api.call("GET", "/api/v1/artifacts?key=daily-report", { key: other.viewerKey })).json.artifacts).toHaveLength(1);
    expect((await api.call("GET", "/api/v1/artifacts", { key: w.viewerKey })).status).toBe(422);
  });
});

describe("cache", () => {
  it("stores, replaces and reads entries; a missing or expired one is a 404", async () => {
    const w = await workspaceWithKeys();
    const { token } = await createRunningRun(db, w.ws.id);
    const key = encodeURIComponent("etl.extract:9f86d081/v1");
    expect((await api.call("GET", `/api/v1/cache/${key}`, { key: token })).status).toBe(404);
    const put = await api.call("PUT", `/api/v1/cache/${key}`, { key: token, body: { value: { rows: [1, 2, 3] } } });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ key: "etl.extract:9f86d081/v1", value: { rows: [1, 2, 3] }, expiresAt: null });
    expect((await api.call("GET", `/api/v1/cache/${key}`, { key: token })).json).toEqual(put.json);

    const later = new Date(Date.now() + 3_600_000).toISOString();
    await api.call("PUT", `/api/v1/cache/${key}`, { key: w.agentKey, body: { value: [1, "two"], expiresAt: later } });
    expect((await api.call("GET", `/api/v1/cache/${key}`, { key: w.viewerKey })).json).toEqual({ key: "etl.extract:9f86d081/v1", value: [1, "two"], expiresAt: later });

    await api.call("PUT", "/api/v1/cache/nothing", { key: token, body: { value: null } });
    expect((await api.call("GET", "/api/v1/cache/nothing", { key: token })).json).toEqual({ key: "nothing", value: null, expiresAt: null });

    await api.call("PUT", `/api/v1/cache/${key}`, { key: token, body: { value: "old", expiresAt: new Date(Date.now() - 1000).toISOString() } });
    const expired = await api.call("GET", `/api/v1/cache/${key}`, { key: token });
    expect(expired.status).toBe(404);
    expect(expired.json.error.message).toContain("expired");

    expect((await api.call("PUT", "/api/v1/cache/k", { key: token, body: {} })).status).toBe(422);
    expect((await api.call("PUT", "/api/v1/cache/k", { key: token, body: { value: 1, expiresAt: "tomorrow" } })).status).toBe(422);
  });

  it("keeps keys to the workspace and enforces roles", async () => {
    const w = await workspaceWithKeys();
    const other = await workspaceWithKeys();
    await api.call("PUT", "/api/v1/cache/shared-name", { key: w.ownerKey, body: { value: "mine" } });
    expect((await api.call("GET", "/api/v1/cache/shared-name", { key: other.ownerKey })).status).toBe(404);
    await api.call("PUT", "/api/v1/cache/shared-name", { key: other.ownerKey, body: { value: "theirs" } });
    expect((await api.call("GET", "/api/v1/cache/shared-name", { key: w.viewerKey })).json.value).toBe("mine");
    expect((await db.select().from(cacheEntries).where(eq(cacheEntries.key, "shared-name"))).map((e) => e.value).sort()).toEqual(["mine", "theirs"]);

    expect((await api.call("GET", "/api/v1/cache/shared-name", { key: w.agentKey })).status).toBe(403);
    expect((await api.call("PUT", "/api/v1/cache/shared-name", { key: w.viewerKey, body: { value: "x" } })).status).toBe(403);
    expect((await api.call("GET", "/api/v1/cache/shared-name")).status).toBe(401);
  });
});

describe("the OpenAPI document", () => {
  it("names the schemas of these routes", async () => {
    const doc = (await api.call("GET", "/api/v1/openapi.json")).json;
    for (const name of ["LogBatch", "LogPage", "TaskRunCreate", "TaskRun", "TaskRunStateReportBatch", "ArtifactCreate", "Artifact", "CachePut", "CacheEntry"]) {
      expect(doc.components.schemas, name).toHaveProperty(name);
    }
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/logs", "/api/v1/flow-runs/{id}/logs", "/api/v1/task-runs/states", "/api/v1/cache/{key}"]));
  });
});
