import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { incomingWebhooks } from "../../server/db/schema";
import { callHook } from "../helpers/incoming-webhooks";
import type { CrossTenantContext, RouteCases } from "./context";

export async function cases(ctx: CrossTenantContext): Promise<RouteCases> {
  const { api } = ctx;
  const aDeployment = await api.call("PUT", "/api/v1/deployments", { key: ctx.aKey, body: { flowName: "a-hooked-flow", name: "a-hooked", kind: "command", command: "true" } });
  const aDeploymentId = aDeployment.json.deployment.id as string;
  const created = await api.call("POST", "/api/v1/incoming-webhooks", { key: ctx.aKey, body: { name: "a-rest-hook", deploymentId: aDeploymentId, signatureScheme: "github" } });
  expect(created.status).toBe(201);
  const hook = created.json.incomingWebhook as { id: string; url: string };
  const aToken = new URL(hook.url).pathname.split("/").pop()!;
  // One call in A's log, so the log route has something to leak.
  expect((await callHook(api.base, new URL(hook.url).pathname, "{}")).status).toBe(401);
  const row = () => ctx.db.select().from(incomingWebhooks).where(eq(incomingWebhooks.id, hook.id));
  const before = await row();
  const unchanged = async () => expect(await row()).toEqual(before);
  const missing = async (method: string, path: string, body?: unknown) => {
    const res = await api.call(method, path, { key: ctx.bKey, body });
    expect(res.status, `${method} ${path}`).toBe(404);
    expect(JSON.stringify(res.json)).not.toContain(aToken);
    await unchanged();
  };

  return {
    "GET /api/v1/incoming-webhooks": async () => {
      const res = await api.call("GET", "/api/v1/incoming-webhooks", { key: ctx.bKey });
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.json)).not.toContain("a-rest-hook");
      expect((await api.call("GET", "/api/v1/incoming-webhooks", { key: ctx.bAgentKey })).status).toBe(403);
    },
    "POST /api/v1/incoming-webhooks": async () => {
      // B cannot bind an endpoint to A's deployment.
      const res = await api.call("POST", "/api/v1/incoming-webhooks", { key: ctx.bKey, body: { name: "intruder", deploymentId: aDeploymentId } });
      expect(res.status).toBe(404);
      expect((await api.call("POST", "/api/v1/incoming-webhooks", { key: ctx.bAgentKey, body: { name: "intruder", deploymentId: aDeploymentId } })).status).toBe(403);
    },
    "GET /api/v1/incoming-webhooks/:id": () => missing("GET", `/api/v1/incoming-webhooks/${hook.id}`),
    "PATCH /api/v1/incoming-webhooks/:id": () => missing("PATCH", `/api/v1/incoming-webhooks/${hook.id}`, { enabled: false, name: "taken over" }),
    "DELETE /api/v1/incoming-webhooks/:id": () => missing("DELETE", `/api/v1/incoming-webhooks/${hook.id}`),
    "POST /api/v1/incoming-webhooks/:id/rotate": () => missing("POST", `/api/v1/incoming-webhooks/${hook.id}/rotate`),
    "GET /api/v1/incoming-webhooks/:id/requests": () => missing("GET", `/api/v1/incoming-webhooks/${hook.id}/requests`),
  };
}
