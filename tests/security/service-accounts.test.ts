import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { createWorkspaceWithMembers } from "../helpers/fixtures";
import { startApiServer } from "../helpers/api-server";
import { deploy, startRun } from "../helpers/orchestration";

const { db } = await createTestDatabase();
const api = await startApiServer(db);

const claimBody = (agentId: string) => ({ agentId, slots: 1, waitSeconds: 0 });

describe("service accounts: keys of the workspace, not of a person", () => {
  it("an owner's service-account agent key keeps claiming after that owner is demoted and then removed; /me and the audit log name the service account", async () => {
    const { ws, owner, members } = await createWorkspaceWithMembers(db, ["developer"]);
    // The person who sets up the agents: an owner for now, who will leave.
    const admin = members.developer;
    await owner.caller.members.changeRole({ workspace: ws.slug, userId: admin.user.id, role: "owner" });
    const { key: sa, apiKey } = await admin.caller.apiKeys.createServiceAccount({ workspace: ws.slug, name: "gpu-agents", role: "agent" });
    expect(apiKey).toMatchObject({ name: "gpu-agents", role: "agent", kind: "service_account" });
    const { key: ownerKey } = await owner.caller.apiKeys.create({ workspace: ws.slug, name: "ci", role: "owner" });

    const me = await api.call("GET", "/api/v1/me", { key: sa });
    expect(me.json).toEqual({ workspace: { id: ws.id, slug: ws.slug, name: ws.name }, key: { name: "gpu-agents", role: "agent", kind: "service_account" }, user: null });

    const agent = await api.call("POST", "/api/v1/agents", { key: sa, body: { name: "gpu-1", hostname: "h", version: "0.1.0" } });
    expect(agent.status).toBe(200);
    const deployment = await deploy(api, ownerKey);

    await owner.caller.members.changeRole({ workspace: ws.slug, userId: admin.user.id, role: "viewer" });
    await startRun(api, ownerKey, deployment.id);
    const first = await api.call("POST", "/api/v1/work-pools/default/claim", { key: sa, body: claimBody(agent.json.id) });
    expect(first.status).toBe(200);
    expect(first.json.runs).toHaveLength(1);

    await owner.caller.members.remove({ workspace: ws.slug, userId: admin.user.id });
    await startRun(api, ownerKey, deployment.id);
    const second = await api.call("POST", "/api/v1/work-pools/default/claim", { key: sa, body: claimBody(agent.json.id) });
    expect(second.status).toBe(200);
    expect(second.json.runs).toHaveLength(1);

    const listed = await owner.caller.apiKeys.list({ workspace: ws.slug });
    expect(listed.find((k) => k.id === apiKey.id)).toMatchObject({ kind: "service_account", createdBy: admin.user.email });

    const { items } = await owner.caller.audit.list({ workspace: ws.slug });
    expect(items.find((e) => e.action === "service_account.created")).toMatchObject({ actorLabel: admin.user.email, targetLabel: "gpu-agents", details: { role: "agent", kind: "service_account" } });
  });

  it("actions done with a service account's key are audited as service:<name>", async () => {
    const { ws, owner } = await createWorkspaceWithMembers(db);
    const { key: sa } = await owner.caller.apiKeys.createServiceAccount({ workspace: ws.slug, name: "alerts-bot", role: "developer" });
    const res = await api.call("POST", "/api/v1/automations", {
      key: sa,
      body: { name: "on failure", triggerKind: "run_state", states: ["Failed"], actions: [{ kind: "email", addresses: ["oncall@example.com"] }] },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    const { items } = await owner.caller.audit.list({ workspace: ws.slug });
    expect(items.find((e) => e.action.startsWith("automation."))).toMatchObject({ actorLabel: "service:alerts-bot" });
  });

  it("only owners create or revoke service accounts; revoking one is audited and stops it at once", async () => {
    const { ws, owner, members } = await createWorkspaceWithMembers(db, ["developer"]);
    await expect(members.developer.caller.apiKeys.createServiceAccount({ workspace: ws.slug, name: "x", role: "agent" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const { key: sa, apiKey } = await owner.caller.apiKeys.createServiceAccount({ workspace: ws.slug, name: "runner-bot", role: "runner" });
    await expect(members.developer.caller.apiKeys.revoke({ workspace: ws.slug, keyId: apiKey.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "You are a developer here, so you cannot revoke a service account's key. Ask an owner to revoke it.",
    });
    expect((await api.call("GET", "/api/v1/me", { key: sa })).status).toBe(200);

    await owner.caller.apiKeys.revoke({ workspace: ws.slug, keyId: apiKey.id });
    expect((await api.call("GET", "/api/v1/me", { key: sa })).status).toBe(401);
    const { items } = await owner.caller.audit.list({ workspace: ws.slug });
    expect(items.find((e) => e.action === "service_account.revoked")).toMatchObject({ actorLabel: owner.user.email, targetLabel: "runner-bot" });
  });
});
