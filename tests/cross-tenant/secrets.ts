import { and, eq } from "drizzle-orm";
import { expect } from "vitest";
import { secrets } from "../../server/db/schema";
import { createRunningRun } from "../helpers/report-fixtures";
import type { CrossTenantContext, RouteCases } from "./context";

export async function cases(ctx: CrossTenantContext): Promise<RouteCases> {
  const { api } = ctx;
  expect((await api.call("PUT", "/api/v1/secrets/a-db-password", { key: ctx.aKey, body: { value: "a-only-hunter2" } })).status).toBe(200);
  const aSecret = () => ctx.db.select().from(secrets).where(and(eq(secrets.workspaceId, ctx.A.ws.id), eq(secrets.name, "a-db-password")));
  const bRun = await createRunningRun(ctx.db, ctx.B.ws.id);
  const missing = async (method: string, path: string, key: string) => {
    const res = await api.call(method, path, { key });
    expect(res.status, `${method} ${path}`).toBe(404);
    expect(JSON.stringify(res.json)).not.toContain("hunter2");
  };

  return {
    "GET /api/v1/secrets": async () => {
      const res = await api.call("GET", "/api/v1/secrets", { key: ctx.bKey });
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.json)).not.toContain("a-db-password");
      expect((await api.call("GET", "/api/v1/secrets", { key: ctx.bAgentKey })).status).toBe(403);
    },
    "GET /api/v1/secrets/:name": () => missing("GET", "/api/v1/secrets/a-db-password", ctx.bKey),
    "GET /api/v1/secrets/:name/value": async () => {
      await missing("GET", "/api/v1/secrets/a-db-password/value", ctx.bKey);
      await missing("GET", "/api/v1/secrets/a-db-password/value", bRun.token);
    },
    "PUT /api/v1/secrets/:name": async () => {
      // Names are per workspace: B setting the same name makes B's own secret and leaves A's alone.
      const before = await aSecret();
      expect((await api.call("PUT", "/api/v1/secrets/a-db-password", { key: ctx.bKey, body: { value: "b-value" } })).status).toBe(200);
      expect(await aSecret()).toEqual(before);
      expect((await api.call("PUT", "/api/v1/secrets/a-db-password", { key: ctx.bAgentKey, body: { value: "x" } })).status).toBe(403);
      expect((await api.call("DELETE", "/api/v1/secrets/a-db-password", { key: ctx.bKey })).status).toBe(204);
    },
    "DELETE /api/v1/secrets/:name": async () => {
      const before = await aSecret();
      expect((await api.call("DELETE", "/api/v1/secrets/a-db-password", { key: ctx.bKey })).status).toBe(404);
      expect(await aSecret()).toEqual(before);
    },
  };
}
