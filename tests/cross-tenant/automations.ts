import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { automations } from "../../server/db/schema";
import type { CrossTenantContext, RouteCases } from "./context";

export async function cases(ctx: CrossTenantContext): Promise<RouteCases> {
  const { api } = ctx;
  const created = await api.call("POST", "/api/v1/automations", {
    key: ctx.aKey,
    body: { name: "a-rest-alert", triggerKind: "run_state", states: ["Failed"], actions: [{ kind: "email", roles: ["owner"] }] },
  });
  expect(created.status).toBe(201);
  const a = created.json.automation as { id: string; destinations: { id: string }[] };
  const row = () => ctx.db.select().from(automations).where(eq(automations.id, a.id));
  const before = await row();
  const unchanged = async () => expect(await row()).toEqual(before);
  const aDeployment = await api.call("PUT", "/api/v1/deployments", { key: ctx.aKey, body: { flowName: "a-alerted-flow", name: "a-alerted", kind: "command", command: "true" } });
  const aFlowId = aDeployment.json.deployment.flowId as string;
  const body = { name: "taken over", triggerKind: "run_state", states: ["Completed"], actions: [{ kind: "email", roles: ["owner"] }] };

  return {
    "GET /api/v1/automations": async () => {
      const res = await api.call("GET", "/api/v1/automations", { key: ctx.bKey });
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.json)).not.toContain("a-rest-alert");
    },
    "GET /api/v1/automations/:id": async () => {
      expect((await api.call("GET", `/api/v1/automations/${a.id}`, { key: ctx.bKey })).status).toBe(404);
    },
    "POST /api/v1/automations": async () => {
      // B creates in B only; A's flow is refused as one that does not exist.
      const res = await api.call("POST", "/api/v1/automations", { key: ctx.bKey, body: { ...body, flowIds: [aFlowId] } });
      expect(res.status).toBe(400);
      expect(res.json.error.details.fieldErrors.flowIds[0]).toMatch(/does not exist in this workspace/);
      expect(await ctx.db.select().from(automations).where(eq(automations.name, "taken over"))).toHaveLength(0);
      await unchanged();
    },
    "PUT /api/v1/automations/:id": async () => {
      expect((await api.call("PUT", `/api/v1/automations/${a.id}`, { key: ctx.bKey, body })).status).toBe(404);
      await unchanged();
    },
    "DELETE /api/v1/automations/:id": async () => {
      expect((await api.call("DELETE", `/api/v1/automations/${a.id}`, { key: ctx.bKey })).status).toBe(404);
      await unchanged();
    },
    "POST /api/v1/automations/:id/actions/:actionId/test": async () => {
      const res = await api.call("POST", `/api/v1/automations/${a.id}/actions/${a.destinations[0].id}/test`, { key: ctx.bKey });
      expect(res.status).toBe(404);
      const { rows } = await ctx.db.$client.query("select 1 from alert_deliveries where automation_id = $1", [a.id]);
      expect(rows).toHaveLength(0);
    },
  };
}
