import { and, eq } from "drizzle-orm";
import { expect } from "vitest";
import { cacheEntries } from "../../server/db/schema";
import { createRunningRun } from "../helpers/report-fixtures";
import type { CrossTenantContext, RouteCases } from "./context";

export async function cases(ctx: CrossTenantContext): Promise<RouteCases> {
  const { api } = ctx;
  const b = await createRunningRun(ctx.db, ctx.B.ws.id);
  expect((await api.call("PUT", "/api/v1/cache/a-result", { key: ctx.aKey, body: { value: { secret: "A only" } } })).status).toBe(200);
  const aEntry = () => ctx.db.select().from(cacheEntries).where(and(eq(cacheEntries.workspaceId, ctx.A.ws.id), eq(cacheEntries.key, "a-result")));

  return {
    "GET /api/v1/cache/:key": async () => {
      for (const key of [ctx.bKey, b.token]) {
        const res = await api.call("GET", "/api/v1/cache/a-result", { key });
        expect(res.status).toBe(404);
        expect(JSON.stringify(res.json)).not.toContain("A only");
      }
    },
    "PUT /api/v1/cache/:key": async () => {
      // Keys are per workspace: B writing the same key makes B's own entry and leaves A's alone.
      const before = await aEntry();
      const res = await api.call("PUT", "/api/v1/cache/a-result", { key: b.token, body: { value: "B's" } });
      expect(res.status).toBe(200);
      expect(await aEntry()).toEqual(before);
      expect((await api.call("GET", "/api/v1/cache/a-result", { key: ctx.aKey })).json.value).toEqual({ secret: "A only" });
    },
  };
}
