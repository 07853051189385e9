import { and, eq } from "drizzle-orm";
import { expect } from "vitest";
import { concurrencyLimits } from "../../server/db/schema";
import type { CrossTenantContext, RouteCases } from "./context";

export async function cases(ctx: CrossTenantContext): Promise<RouteCases> {
  const { api } = ctx;
  expect((await api.call("PUT", "/api/v1/concurrency-limits/a-secret-gpu", { key: ctx.aKey, body: { limit: 3 } })).status).toBe(200);
  const aLimit = () => ctx.db.select().from(concurrencyLimits).where(and(eq(concurrencyLimits.workspaceId, ctx.A.ws.id), eq(concurrencyLimits.tag, "a-secret-gpu")));

  return {
    "GET /api/v1/concurrency-limits": async () => {
      const res = await api.call("GET", "/api/v1/concurrency-limits", { key: ctx.bKey });
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.json)).not.toContain("a-secret-gpu");
      expect((await api.call("GET", "/api/v1/concurrency-limits", { key: ctx.bAgentKey })).status).toBe(403);
    },
    "PUT /api/v1/concurrency-limits/:tag": async () => {
      // Tags are per workspace: B setting the same tag makes B's own limit and leaves A's alone.
      const before = await aLimit();
      const res = await api.call("PUT", "/api/v1/concurrency-limits/a-secret-gpu", { key: ctx.bKey, body: { limit: 0 } });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ tag: "a-secret-gpu", limit: 0, taken: 0 });
      expect(await aLimit()).toEqual(before);
      expect((await api.call("PUT", "/api/v1/concurrency-limits/a-secret-gpu", { key: ctx.bAgentKey, body: { limit: 9 } })).status).toBe(403);
      expect((await api.call("DELETE", "/api/v1/concurrency-limits/a-secret-gpu", { key: ctx.bKey })).status).toBe(204);
    },
    "DELETE /api/v1/concurrency-limits/:tag": async () => {
      const before = await aLimit();
      const res = await api.call("DELETE", "/api/v1/concurrency-limits/a-secret-gpu", { key: ctx.bKey });
      expect(res.status).toBe(404);
      expect(await aLimit()).toEqual(before);
    },
  };
}
