import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { createWorkspaceWithMembers } from "../helpers/fixtures";
import { startApiServer } from "../helpers/api-server";
import { deploy, startRun } from "../helpers/orchestration";

const { db } = await createTestDatabase();
const api = await startApiServer(db);

describe("an agent key acts at most with its creator's current role", () => {
  it("stops claiming, heartbeating and reporting (403 saying why) once its creator is demoted below developer, and works again when promoted", async () => {
    const { ws, owner, members } = await createWorkspaceWithMembers(db, ["developer"]);
    const dev = members.developer;
    const { key: ownerKey } = await owner.caller.apiKeys.create({ workspace: ws.slug, name: "owner", role: "owner" });
    const { key: agentKey } = await dev.caller.apiKeys.create({ workspace: ws.slug, name: "dev agent", role: "agent" });
    const agent = await api.call("POST", "/api/v1/agents", { key: agentKey, body: { name: "a1", hostname: "h", version: "0.1.0" } });
    expect(agent.status).toBe(200);
    const deployment = await deploy(api, ownerKey);
    await startRun(api, ownerKey, deployment.id, {});

    for (const role of ["runner", "viewer"] as const) {
      await owner.caller.members.changeRole({ workspace: ws.slug, userId: dev.user.id, role });
      const claim = await api.call("POST", "/api/v1/work-pools/default/claim", { key: agentKey, body: { agentId: agent.json.id, slots: 1, waitSeconds: 0 } });
      expect(claim.status).toBe(403);
      expect(claim.json.error.code).toBe("forbidden");
      expect(claim.json.error.message).toContain(`${dev.user.email}, who is now a ${role}`);
      expect(claim.json.error.message).toContain("service account");
      const heartbeat = await api.call("POST", `/api/v1/agents/${agent.json.id}/heartbeat`, { key: agentKey, body: { runs: [] } });
      expect(heartbeat.status).toBe(403);
      const cache = await api.call("PUT", "/api/v1/cache/some-key", { key: agentKey, body: { value: 1 } });
      expect(cache.status).toBe(403);
    }
    const { rows } = await db.$client.query("select state_type from flow_runs where workspace_id = $1", [ws.id]);
    expect(rows.map((r) => r.state_type)).toEqual(["SCHEDULED"]);

    await owner.caller.members.changeRole({ workspace: ws.slug, userId: dev.user.id, role: "developer" });
    const claim = await api.call("POST", "/api/v1/work-pools/default/claim", { key: agentKey, body: { agentId: agent.json.id, slots: 1, waitSeconds: 0 } });
    expect(claim.status).toBe(200);
    expect(claim.json.runs).toHaveLength(1);
  });

  it("the demotion takes effect on the very next request, even right after the key was used (cached)", async () => {
    const { ws, owner, members } = await createWorkspaceWithMembers(db, ["developer"]);
    const { key: agentKey } = await members.developer.caller.apiKeys.create({ workspace: ws.slug, name: "agent", role: "agent" });
    expect((await api.call("GET", "/api/v1/me", { key: agentKey })).status).toBe(200);
    await owner.caller.members.changeRole({ workspace: ws.slug, userId: members.developer.user.id, role: "runner" });
    expect((await api.call("GET", "/api/v1/me", { key: agentKey })).status).toBe(403);
  });
});

describe("revoking keys is capped by role like creating them", () => {
  it("a developer cannot revoke an owner's owner key, and the key keeps working", async () => {
    const { ws, owner, members } = await createWorkspaceWithMembers(db, ["developer"]);
    const { key, apiKey } = await owner.caller.apiKeys.create({ workspace: ws.slug, name: "owner ci", role: "owner" });
    await expect(members.developer.caller.apiKeys.revoke({ workspace: ws.slug, keyId: apiKey.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "You are a developer here, so you cannot revoke a key with the owner role that someone else created. Ask an owner to revoke it.",
    });
    expect((await api.call("GET", "/api/v1/me", { key })).status).toBe(200);
    const listed = await owner.caller.apiKeys.list({ workspace: ws.slug });
    expect(listed.map((k) => k.id)).toContain(apiKey.id);
  });

  it("a developer revokes keys whose role they could grant and their own; an owner revokes anything", async () => {
    const { ws, owner, members } = await createWorkspaceWithMembers(db, ["developer"]);
    const dev = members.developer;
    const ownersDevKey = await owner.caller.apiKeys.create({ workspace: ws.slug, name: "dev", role: "developer" });
    const ownersAgentKey = await owner.caller.apiKeys.create({ workspace: ws.slug, name: "agent", role: "agent" });
    const devsKey = await dev.caller.apiKeys.create({ workspace: ws.slug, name: "mine", role: "developer" });
    for (const k of [ownersDevKey, ownersAgentKey, devsKey]) await dev.caller.apiKeys.revoke({ workspace: ws.slug, keyId: k.apiKey.id });

    // A key the developer made while an owner stays theirs to revoke after they are demoted.
    await owner.caller.members.changeRole({ workspace: ws.slug, userId: dev.user.id, role: "owner" });
    const madeAsOwner = await dev.caller.apiKeys.create({ workspace: ws.slug, name: "as owner", role: "owner" });
    await owner.caller.members.changeRole({ workspace: ws.slug, userId: dev.user.id, role: "developer" });
    await dev.caller.apiKeys.revoke({ workspace: ws.slug, keyId: madeAsOwner.apiKey.id });

    const ownerKey = await dev.caller.apiKeys.create({ workspace: ws.slug, name: "dev again", role: "developer" });
    await owner.caller.apiKeys.revoke({ workspace: ws.slug, keyId: ownerKey.apiKey.id });
    expect(await owner.caller.apiKeys.list({ workspace: ws.slug })).toEqual([]);
  });
});
