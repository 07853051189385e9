import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { flowRuns } from "../../server/db/schema";
import { upsertDeployment } from "../../server/deployments/upsert-deployment";
import { createRunningRun } from "../helpers/report-fixtures";
import type { CrossTenantContext, RouteCases } from "./context";

/** Child runs: B's run token (or key) aims at A's runs and deployments. */
export async function cases(ctx: CrossTenantContext): Promise<RouteCases> {
  const { api, db } = ctx;
  const actor = { userId: null, label: "test" };
  const a = await createRunningRun(db, ctx.A.ws.id);
  const b = await createRunningRun(db, ctx.B.ws.id);
  const { deployment: aDep } = await upsertDeployment(db, ctx.A.ws.id, actor, { flowName: "a-child-flow", name: "a-child", kind: "command", command: "true" });
  const aChild = await api.call("POST", `/api/v1/flow-runs/${a.run.id}/children`, { key: a.token, body: { deployment: "a-child-flow/a-child", idempotencyKey: "0" } });
  expect(aChild.status, JSON.stringify(aChild.json)).toBe(201);
  const childId = aChild.json.run.id as string;
  const aRuns = () => db.select({ id: flowRuns.id, state: flowRuns.stateType }).from(flowRuns).where(eq(flowRuns.workspaceId, ctx.A.ws.id));

  const notFound = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await api.call(method, path, { key, body });
    expect(res.status, `${method} ${path} → ${res.status} ${JSON.stringify(res.json)}`).toBe(404);
    expect(JSON.stringify(res.json)).not.toContain(childId);
  };

  return {
    "POST /api/v1/flow-runs/:id/children": async () => {
      const before = await aRuns();
      // B's token on A's run; B's token on its own run naming A's deployment (by name and by id).
      await notFound("POST", `/api/v1/flow-runs/${a.run.id}/children`, b.token, { deployment: "a-child-flow/a-child", idempotencyKey: "1" });
      await notFound("POST", `/api/v1/flow-runs/${b.run.id}/children`, b.token, { deployment: "a-child-flow/a-child", idempotencyKey: "2" });
      await notFound("POST", `/api/v1/flow-runs/${b.run.id}/children`, b.token, { deployment: aDep.id, idempotencyKey: "3" });
      // Keys never start children: 403 for B's owner key on A's run, like on its own.
      expect((await api.call("POST", `/api/v1/flow-runs/${a.run.id}/children`, { key: ctx.bKey, body: { deployment: aDep.id, idempotencyKey: "4" } })).status).toBe(403);
      expect(await aRuns()).toEqual(before);
    },
    "GET /api/v1/flow-runs/:id/children": async () => {
      await notFound("GET", `/api/v1/flow-runs/${a.run.id}/children`, ctx.bKey);
      await notFound("GET", `/api/v1/flow-runs/${a.run.id}/children`, b.token);
    },
    "GET /api/v1/flow-runs/:id/children/:childId": async () => {
      await notFound("GET", `/api/v1/flow-runs/${a.run.id}/children/${childId}`, ctx.bKey);
      await notFound("GET", `/api/v1/flow-runs/${a.run.id}/children/${childId}`, b.token);
      await notFound("GET", `/api/v1/flow-runs/${b.run.id}/children/${childId}`, b.token);
    },
  };
}
