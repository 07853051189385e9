import { and, eq } from "drizzle-orm";
import { expect } from "vitest";
import { variables } from "../../server/db/schema";
import { createRunningRun } from "../helpers/report-fixtures";
import type { CrossTenantContext, RouteCases } from "./context";

export async function cases(ctx: CrossTenantContext): Promise<RouteCases> {
  const { api } = ctx;
  expect((await api.call("PUT", "/api/v1/variables/a-bucket", { key: ctx.aKey, body: { value: "a-only-bucket" } })).status).toBe(200);
  const aVariable = () => ctx.db.select().from(variables).where(and(eq(variables.workspaceId, ctx.A.ws.id), eq(variables.name, "a-bucket")));
  const bRun = await createRunningRun(ctx.db, ctx.B.ws.id);

  return {
    "GET /api/v1/variables": async () => {
      const res = await api.call("GET", "/api/v1/variables", { key: ctx.bKey });
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.json)).not.toContain("a-only-bucket");
    },
    "GET /api/v1/variables/:name": async () => {
      for (const key of [ctx.bKey, bRun.token]) {
        const res = await api.call("GET", "/api/v1/variables/a-bucket", { key });
        expect(res.status).toBe(404);
        expect(JSON.stringify(res.json)).not.toContain("a-only-bucket");
      }
      expect((await api.call("GET", "/api/v1/variables/a-bucket", { key: ctx.bAgentKey })).status).toBe(403);
    },
    "PUT /api/v1/variables/:name": async () => {
      const before = await aVariable();
      expect((await api.call("PUT", "/api/v1/variables/a-bucket", { key: ctx.bKey, body: { value: { b: true } } })).status).toBe(200);
      expect(await aVariable()).toEqual(before);
      expect((await api.call("PUT", "/api/v1/variables/a-bucket", { key: ctx.bAgentKey, body: { value: 1 } })).status).toBe(403);
      expect((await api.call("DELETE", "/api/v1/variables/a-bucket", { key: ctx.bKey })).status).toBe(204);
    },
    "DELETE /api/v1/variables/:name": async () => {
      const before = await aVariable();
      expect((await api.call("DELETE", "/api/v1/variables/a-bucket", { key: ctx.bKey })).status).toBe(404);
      expect(await aVariable()).toEqual(before);
    },
  };
}
