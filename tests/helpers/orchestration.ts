import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { Db } from "../../server/db/client";
import type { startApiServer } from "./api-server";
import { createWorkspaceWithMembers } from "./fixtures";

type Api = Awaited<ReturnType<typeof startApiServer>>;

/** A workspace with an owner key (people and CI) and an agent-role key (agents), and a registered agent. */
export async function orchestrationWorkspace(db: Db, api: Api, agentName = "agent-1") {
  const ws = await createWorkspaceWithMembers(db);
  const { key } = await ws.owner.caller.apiKeys.create({ workspace: ws.ws.slug, name: "owner", role: "owner" });
  const { key: agentKey } = await ws.owner.caller.apiKeys.create({ workspace: ws.ws.slug, name: "agent", role: "agent" });
  const agent = await api.call("POST", "/api/v1/agents", { key: agentKey, body: { name: agentName, hostname: "test-host", version: "0.1.0" } });
  expect(agent.status).toBe(200);
  return { ...ws, key, agentKey, agentId: agent.json.id as string };
}

export async function deploy(api: Api, key: string, over: Record<string, unknown> = {}) {
  const res = await api.call("PUT", "/api/v1/deployments", {
    key,
    body: { flowName: "train", name: `d-${randomUUID().slice(0, 8)}`, kind: "command", command: "echo hi", ...over },
  });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json.deployment as { id: string; name: string; flowName: string };
}

export async function startRun(api: Api, key: string, deploymentId: string, body: Record<string, unknown> = {}) {
  const res = await api.call("POST", `/api/v1/deployments/${deploymentId}/runs`, { key, body });
  expect([200, 201], JSON.stringify(res.json)).toContain(res.status);
  return res.json.run as { id: string; state: { type: string; name: string }; attempt: number; parameters: Record<string, unknown> };
}

export type Claimed = { id: string; attempt: number; leaseToken: string; runToken: string };

export async function claim(api: Api, agentKey: string, agentId: string, opts: { slots?: number; waitSeconds?: number; pool?: string } = {}) {
  const res = await api.call("POST", `/api/v1/work-pools/${opts.pool ?? "default"}/claim`, { key: agentKey, body: { agentId, slots: opts.slots ?? 1, waitSeconds: opts.waitSeconds ?? 0 } });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json.runs as Claimed[];
}

export async function report(api: Api, agentKey: string, run: Claimed, type: string, extra: Record<string, unknown> = {}) {
  const res = await api.call("POST", "/api/v1/flow-runs/states", {
    key: agentKey,
    body: { reports: [{ runId: run.id, attempt: run.attempt, leaseToken: run.leaseToken, transitionId: randomUUID(), state: { type, ...extra } }] },
  });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json.results[0] as { status: string; reason?: string; state: { type: string; name: string; message: string | null }; attempt: number; replayed?: boolean };
}

export async function history(db: Db, runId: string) {
  const { rows } = await db.$client.query<{ type: string; name: string; attempt: number }>(
    "select type, name, attempt from flow_run_states where flow_run_id = $1 order by id",
    [runId],
  );
  return rows.map((r) => `${r.type}/${r.name}#${r.attempt}`);
}

/** Creates a work pool (owner key) and registers an agent in it (agent key); the agent's id. */
export async function poolWithAgent(api: Api, key: string, agentKey: string, pool: string, agentName = `${pool}-agent`) {
  const created = await api.call("POST", "/api/v1/work-pools", { key, body: { name: pool } });
  expect([201, 409], JSON.stringify(created.json)).toContain(created.status);
  const agent = await api.call("POST", "/api/v1/agents", { key: agentKey, body: { name: agentName, workPool: pool } });
  expect(agent.status, JSON.stringify(agent.json)).toBe(200);
  return agent.json.id as string;
}

/** Sets a concurrency limit by tag through the API. */
export async function setTagLimit(api: Api, key: string, tag: string, limit: number) {
  const res = await api.call("PUT", `/api/v1/concurrency-limits/${encodeURIComponent(tag)}`, { key, body: { limit } });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json as { tag: string; limit: number; taken: number; holders: { id: string; name: string }[] };
}
