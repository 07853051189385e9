import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { taskRunStates, taskRuns } from "../../server/db/schema";
import { uuidv7 } from "../../server/db/uuidv7";
import { createRunningRun } from "../helpers/report-fixtures";
import type { CrossTenantContext, RouteCases } from "./context";

export async function cases(ctx: CrossTenantContext): Promise<RouteCases> {
  const { api } = ctx;
  const a = await createRunningRun(ctx.db, ctx.A.ws.id);
  const b = await createRunningRun(ctx.db, ctx.B.ws.id);
  const aTask = (await api.call("POST", "/api/v1/task-runs", { key: a.token, body: { runId: a.run.id, taskKey: "a-task" } })).json;
  const aState = async () => ({
    rows: await ctx.db.select().from(taskRuns).where(eq(taskRuns.flowRunId, a.run.id)),
    history: await ctx.db.select().from(taskRunStates).where(eq(taskRunStates.taskRunId, aTask.id)),
  });

  return {
    "POST /api/v1/task-runs": async () => {
      const before = await aState();
      for (const key of [ctx.bKey, ctx.bAgentKey, b.token]) {
        expect((await api.call("POST", "/api/v1/task-runs", { key, body: { runId: a.run.id, taskKey: "a-task" } })).status).toBe(404);
      }
      // A's task run as the upstream of a task in B's own run.
      const upstream = await api.call("POST", "/api/v1/task-runs", { key: b.token, body: { runId: b.run.id, taskKey: "b-task", upstreamTaskRunIds: [aTask.id] } });
      expect(upstream.status).toBe(404);
      expect(await ctx.db.select().from(taskRuns).where(eq(taskRuns.flowRunId, b.run.id))).toHaveLength(0);
      expect(await aState()).toEqual(before);
    },
    "POST /api/v1/task-runs/batch": async () => {
      const before = await aState();
      const one = (upstream: string[] = []) => ({ id: uuidv7(), taskKey: "b-task", upstreamTaskRunIds: upstream });
      for (const key of [ctx.bKey, ctx.bAgentKey, b.token]) {
        expect((await api.call("POST", "/api/v1/task-runs/batch", { key, body: { runId: a.run.id, taskRuns: [one()] } })).status).toBe(404);
      }
      const upstream = await api.call("POST", "/api/v1/task-runs/batch", { key: b.token, body: { runId: b.run.id, taskRuns: [one([aTask.id])] } });
      expect(upstream.status).toBe(404);
      expect(await ctx.db.select().from(taskRuns).where(eq(taskRuns.flowRunId, b.run.id))).toHaveLength(0);
      expect(await aState()).toEqual(before);
    },
    "POST /api/v1/task-runs/states": async () => {
      const before = await aState();
      for (const key of [ctx.bKey, ctx.bAgentKey, b.token]) {
        const res = await api.call("POST", "/api/v1/task-runs/states", { key, body: { reports: [{ taskRunId: aTask.id, state: { type: "CRASHED" } }] } });
        expect(res.status).toBe(404);
      }
      expect(await aState()).toEqual(before);
    },
    "GET /api/v1/flow-runs/:id/task-runs": async () => {
      for (const key of [ctx.bKey, b.token]) {
        const res = await api.call("GET", `/api/v1/flow-runs/${a.run.id}/task-runs`, { key });
        expect(res.status).toBe(404);
        expect(JSON.stringify(res.json)).not.toContain(aTask.id);
      }
    },
  };
}
