import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { CrossTenantContext, RouteCases } from "./context";

const SCHEMA = { type: "object", properties: { approve: { type: "boolean" } }, required: ["approve"] };

/** A paused run of A (an ad-hoc run paused with its own run token), aimed at with B's key and B's run token. */
export async function cases({ api, aKey, bKey }: CrossTenantContext): Promise<RouteCases> {
  const ok = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await api.call(method, path, { key, body });
    expect(res.status, `${method} ${path} ${JSON.stringify(res.json)}`).toBeLessThan(300);
    return res.json;
  };
  const notFound = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await api.call(method, path, { key, body });
    expect(res.status, `${method} ${path} → ${res.status} ${JSON.stringify(res.json)}`).toBe(404);
  };
  const aRun = await ok("POST", "/api/v1/flow-runs", aKey, { flowName: "a-approval" });
  const aPause = await ok("POST", `/api/v1/flow-runs/${aRun.run.id}/pause`, aRun.runToken, { transitionId: randomUUID(), schema: SCHEMA, message: "A's question", timeoutSeconds: 3600 });
  const bRun = await ok("POST", "/api/v1/flow-runs", bKey, { flowName: "b-approval" });
  const path = `/api/v1/flow-runs/${aRun.run.id}`;

  return {
    "POST /api/v1/flow-runs/:id/pause": () => notFound("POST", `${path}/pause`, bRun.runToken, { transitionId: randomUUID(), schema: SCHEMA, timeoutSeconds: 60 }),
    "GET /api/v1/flow-runs/:id/pauses/:pauseId": () => notFound("GET", `${path}/pauses/${aPause.id}`, bRun.runToken),
    "GET /api/v1/flow-runs/:id/pause": () => notFound("GET", `${path}/pause`, bKey),
    "POST /api/v1/flow-runs/:id/resume": () => notFound("POST", `${path}/resume`, bKey, { input: { approve: true } }),
  };
}
