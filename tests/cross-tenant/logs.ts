import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { logs } from "../../server/db/schema";
import { createRunningRun } from "../helpers/report-fixtures";
import type { CrossTenantContext, RouteCases } from "./context";

const line = (runId: string, seq: number) => ({ runId, attempt: 1, seq, level: "info", timestamp: new Date().toISOString(), message: `line ${seq}` });

export async function cases(ctx: CrossTenantContext): Promise<RouteCases> {
  const { api } = ctx;
  const a = await createRunningRun(ctx.db, ctx.A.ws.id);
  const b = await createRunningRun(ctx.db, ctx.B.ws.id);
  expect((await api.call("POST", "/api/v1/logs", { key: a.token, body: { logs: [line(a.run.id, 0)] } })).json.accepted).toBe(1);
  const aLines = async () => (await ctx.db.select().from(logs).where(eq(logs.flowRunId, a.run.id))).map((l) => [l.seq, l.message]);

  return {
    "POST /api/v1/logs": async () => {
      const before = await aLines();
      for (const key of [ctx.bKey, ctx.bAgentKey, b.token]) {
        const res = await api.call("POST", "/api/v1/logs", { key, body: { logs: [line(a.run.id, 1), line(a.run.id, 0)] } });
        expect(res.status).toBe(404);
      }
      // Mixed with a line of B's own run: the whole batch is refused.
      expect((await api.call("POST", "/api/v1/logs", { key: ctx.bKey, body: { logs: [line(b.run.id, 0), line(a.run.id, 2)] } })).status).toBe(404);
      expect(await aLines()).toEqual(before);
      expect(await ctx.db.select().from(logs).where(eq(logs.flowRunId, b.run.id))).toHaveLength(0);
    },
    "GET /api/v1/flow-runs/:id/logs": async () => {
      for (const key of [ctx.bKey, b.token]) {
        const res = await api.call("GET", `/api/v1/flow-runs/${a.run.id}/logs`, { key });
        expect(res.status).toBe(404);
        expect(JSON.stringify(res.json)).not.toContain("line 0");
      }
    },
  };
}
