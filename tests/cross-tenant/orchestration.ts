import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { CrossTenantContext, RouteCases } from "./context";

/** Flows, deployments, runs, pools and agents: workspace A's objects, aimed at with B's credentials. */
export async function cases({ api, aKey, bKey, bAgentKey }: CrossTenantContext): Promise<RouteCases> {
  const call = api.call;
  const ok = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await call(method, path, { key, body });
    expect(res.status, `${method} ${path} ${JSON.stringify(res.json)}`).toBeLessThan(300);
    return res.json;
  };
  const aPool = await ok("POST", "/api/v1/work-pools", aKey, { name: "a-only" });
  await ok("POST", "/api/v1/work-pools", aKey, { name: "a-secret" });
  const aDeployment = (await ok("PUT", "/api/v1/deployments", aKey, { flowName: "a-flow", name: "a-dep", kind: "command", command: "true" })).deployment;
  const aRun = (await ok("POST", `/api/v1/deployments/${aDeployment.id}/runs`, aKey, {})).run;
  const aAgent = await ok("POST", "/api/v1/agents", aKey, { name: "a-agent" });
  const bDeployment = (await ok("PUT", "/api/v1/deployments", bKey, { flowName: "b-flow", name: "b-dep", kind: "command", command: "true" })).deployment;
  const bAdhoc = await ok("POST", "/api/v1/flow-runs", bKey, { flowName: "b-notebook" });
  const bAgent = await ok("POST", "/api/v1/agents", bAgentKey, { name: "b-agent" });

  const notFound = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await call(method, path, { key, body });
    expect(res.status, `${method} ${path} → ${res.status} ${JSON.stringify(res.json)}`).toBe(404);
  };
  const noneOfA = async (path: string, field: string) => {
    const text = JSON.stringify((await ok("GET", path, bKey))[field]);
    for (const id of [aDeployment.id, aDeployment.flowId, aRun.id, aAgent.id, aPool.id]) expect(text).not.toContain(id);
  };

  return {
    "POST /api/v1/flows": async () => void (await ok("POST", "/api/v1/flows", bKey, { name: "a-flow" })),
    "GET /api/v1/flows": () => noneOfA("/api/v1/flows", "flows"),
    "PUT /api/v1/deployments": async () => {
      const made = await ok("PUT", "/api/v1/deployments", bKey, { flowName: "a-flow", name: "a-dep", kind: "command", command: "false" });
      expect(made.deployment.id).not.toBe(aDeployment.id);
    },
    "GET /api/v1/deployments": () => noneOfA("/api/v1/deployments", "deployments"),
    "GET /api/v1/deployments/:id": () => notFound("GET", `/api/v1/deployments/${aDeployment.id}`, bKey),
    "DELETE /api/v1/deployments/:id": () => notFound("DELETE", `/api/v1/deployments/${aDeployment.id}`, bKey),
    "POST /api/v1/deployments/:id/pause": () => notFound("POST", `/api/v1/deployments/${aDeployment.id}/pause`, bKey),
    "POST /api/v1/deployments/:id/resume": () => notFound("POST", `/api/v1/deployments/${aDeployment.id}/resume`, bKey),
    "POST /api/v1/deployments/:id/runs": () => notFound("POST", `/api/v1/deployments/${aDeployment.id}/runs`, bKey, {}),
    "POST /api/v1/flow-runs": async () => void (await ok("POST", "/api/v1/flow-runs", bKey, { flowName: "a-flow" })),
    "GET /api/v1/flow-runs": () => noneOfA("/api/v1/flow-runs", "runs"),
    "GET /api/v1/flow-runs/:id": () => notFound("GET", `/api/v1/flow-runs/${aRun.id}`, bKey),
    "POST /api/v1/flow-runs/:id/cancel": () => notFound("POST", `/api/v1/flow-runs/${aRun.id}/cancel`, bKey),
    "POST /api/v1/flow-runs/:id/retry": () => notFound("POST", `/api/v1/flow-runs/${aRun.id}/retry`, bKey),
    "POST /api/v1/flow-runs/:id/state": () => notFound("POST", `/api/v1/flow-runs/${aRun.id}/state`, bAdhoc.runToken, { state: { type: "COMPLETED" } }),
    "POST /api/v1/flow-runs/:id/heartbeat": () => notFound("POST", `/api/v1/flow-runs/${aRun.id}/heartbeat`, bAdhoc.runToken),
    "POST /api/v1/flow-runs/:id/source-commit": () => notFound("POST", `/api/v1/flow-runs/${aRun.id}/source-commit`, bAdhoc.runToken, { commit: "a".repeat(40) }),
    "POST /api/v1/flow-runs/states": async () => {
      const res = await ok("POST", "/api/v1/flow-runs/states", bAgentKey, {
        reports: [{ runId: aRun.id, attempt: 1, leaseToken: randomUUID(), transitionId: randomUUID(), state: { type: "RUNNING" } }],
      });
      expect(res.results[0].status).toBe("NOT_FOUND");
    },
    "GET /api/v1/work-pools": () => noneOfA("/api/v1/work-pools", "workPools"),
    "POST /api/v1/work-pools": async () => void (await ok("POST", "/api/v1/work-pools", bKey, { name: "a-only" })),
    "PATCH /api/v1/work-pools/:name": () => notFound("PATCH", "/api/v1/work-pools/a-secret", bKey, { paused: true }),
    "POST /api/v1/work-pools/:name/claim": async () => {
      await notFound("POST", "/api/v1/work-pools/default/claim", bAgentKey, { agentId: aAgent.id, slots: 5 });
      const mine = await ok("POST", "/api/v1/work-pools/default/claim", bAgentKey, { agentId: bAgent.id, slots: 100 });
      for (const r of mine.runs) expect(r.id).not.toBe(aRun.id);
      expect(bDeployment.id).toBeTruthy();
    },
    "POST /api/v1/agents": async () => void (await ok("POST", "/api/v1/agents", bAgentKey, { name: "a-agent" })),
    "GET /api/v1/agents": () => noneOfA("/api/v1/agents", "agents"),
    "POST /api/v1/agents/:id/heartbeat": () => notFound("POST", `/api/v1/agents/${aAgent.id}/heartbeat`, bAgentKey, { runs: [] }),
  };
}
