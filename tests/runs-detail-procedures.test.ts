import { describe, expect, it } from "vitest";
import { uuidv7 } from "../server/db/uuidv7";
import { startApiServer } from "./helpers/api-server";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers } from "./helpers/fixtures";
import { createRunningRun } from "./helpers/report-fixtures";

const { db } = await createTestDatabase();
const api = await startApiServer(db);

describe("runs.taskRuns / taskRunHistory / logs / artifacts (the run page's tabs)", () => {
  it("return what the SDK reported for the run, to a viewer too", async () => {
    const w = await createWorkspaceWithMembers(db, ["viewer"]);
    const { run, token } = await createRunningRun(db, w.ws.id);
    const extract = uuidv7();
    const total = uuidv7();
    const created = await api.call("POST", "/api/v1/task-runs/batch", {
      key: token,
      body: { runId: run.id, taskRuns: [{ id: extract, taskKey: "extract" }, { id: total, taskKey: "total", upstreamTaskRunIds: [extract] }] },
    });
    expect(created.status).toBeLessThan(300);
    const states = [
      { taskRunId: extract, state: { type: "RUNNING" } },
      { taskRunId: extract, state: { type: "SCHEDULED", name: "AwaitingRetry" } },
      { taskRunId: extract, state: { type: "RUNNING", name: "Retrying" } },
      { taskRunId: extract, state: { type: "COMPLETED" } },
    ];
    expect((await api.call("POST", "/api/v1/task-runs/states", { key: token, body: { reports: states } })).status).toBe(200);
    const now = new Date().toISOString();
    const logs = [
      { runId: run.id, attempt: 1, seq: 1, level: "info", timestamp: now, message: "hello" },
      { runId: run.id, taskRunId: extract, attempt: 1, seq: 2, level: "error", timestamp: now, message: "oops" },
    ];
    expect((await api.call("POST", "/api/v1/logs", { key: token, body: { logs } })).status).toBeLessThan(300);
    expect((await api.call("POST", "/api/v1/artifacts", { key: token, body: { runId: run.id, type: "markdown", data: { markdown: "# hi" } } })).status).toBe(201);

    const viewer = w.members.viewer.caller;
    const input = { workspace: w.ws.slug, runId: run.id };
    const { taskRuns } = await viewer.runs.taskRuns(input);
    expect(taskRuns.map((t) => [t.taskKey, t.upstreamTaskRunIds]).sort()).toEqual([["extract", []], ["total", [extract]]]);
    const history = await viewer.runs.taskRunHistory(input);
    expect(history.filter((h) => h.taskRunId === extract).map((h) => h.name)).toEqual(["Pending", "Running", "AwaitingRetry", "Retrying", "Completed"]);
    const page = await viewer.runs.logs(input);
    expect(page.logs.map((l) => l.message)).toEqual(["hello", "oops"]);
    expect((await viewer.runs.logs({ ...input, level: "error" })).logs.map((l) => l.message)).toEqual(["oops"]);
    expect((await viewer.runs.logs({ ...input, after: page.nextCursor! })).logs).toEqual([]);
    const { artifacts } = await viewer.runs.artifacts(input);
    expect(artifacts.map((a) => [a.type, a.data])).toEqual([["markdown", { markdown: "# hi" }]]);
  });
});
