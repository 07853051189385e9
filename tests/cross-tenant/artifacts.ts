import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { artifacts } from "../../server/db/schema";
import { createRunningRun } from "../helpers/report-fixtures";
import type { CrossTenantContext, RouteCases } from "./context";

export async function cases(ctx: CrossTenantContext): Promise<RouteCases> {
  const { api } = ctx;
  const a = await createRunningRun(ctx.db, ctx.A.ws.id);
  const b = await createRunningRun(ctx.db, ctx.B.ws.id);
  const aTask = (await api.call("POST", "/api/v1/task-runs", { key: a.token, body: { runId: a.run.id, taskKey: "a-task" } })).json;
  const aArtifact = (await api.call("POST", "/api/v1/artifacts", { key: a.token, body: { type: "markdown", key: "a-secret-report", data: { markdown: "A only" } } })).json;
  const workspaceArtifacts = (workspaceId: string) => ctx.db.select().from(artifacts).where(eq(artifacts.workspaceId, workspaceId));
  const markdown = { type: "markdown", data: { markdown: "from B" } };

  return {
    "POST /api/v1/artifacts": async () => {
      const before = await workspaceArtifacts(ctx.A.ws.id);
      for (const key of [ctx.bKey, ctx.bAgentKey, b.token]) {
        expect((await api.call("POST", "/api/v1/artifacts", { key, body: { ...markdown, runId: a.run.id } })).status).toBe(404);
      }
      // B's own run with A's task run.
      expect((await api.call("POST", "/api/v1/artifacts", { key: b.token, body: { ...markdown, taskRunId: aTask.id } })).status).toBe(404);
      expect((await api.call("POST", "/api/v1/artifacts", { key: ctx.bKey, body: { ...markdown, runId: b.run.id, taskRunId: aTask.id } })).status).toBe(404);
      expect(await workspaceArtifacts(ctx.A.ws.id)).toEqual(before);
      expect(await workspaceArtifacts(ctx.B.ws.id)).toHaveLength(0);
    },
    "GET /api/v1/flow-runs/:id/artifacts": async () => {
      for (const key of [ctx.bKey, b.token]) {
        const res = await api.call("GET", `/api/v1/flow-runs/${a.run.id}/artifacts`, { key });
        expect(res.status).toBe(404);
        expect(JSON.stringify(res.json)).not.toContain(aArtifact.id);
      }
    },
    "GET /api/v1/artifacts": async () => {
      // A key is a name in the workspace's namespace: B asking for A's key finds nothing of A's.
      for (const key of [ctx.bKey, b.token]) {
        const res = await api.call("GET", "/api/v1/artifacts?key=a-secret-report", { key });
        expect(res.status).toBe(200);
        expect(res.json.artifacts).toEqual([]);
      }
      expect((await api.call("GET", `/api/v1/artifacts?key=a-secret-report&after=${aArtifact.id}`, { key: ctx.bKey })).json.artifacts).toEqual([]);
    },
  };
}
