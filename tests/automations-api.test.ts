import { afterAll, describe, expect, it } from "vitest";
import { verifySignature } from "../server/alerts/webhook-signature";
import { reloadEnv } from "../server/env";
import { startApiServer } from "./helpers/api-server";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers } from "./helpers/fixtures";
import { start } from "./helpers/recording-server";

// Test receivers live on 127.0.0.1.
process.env.BATON_ALLOW_PRIVATE_WEBHOOKS = "1";
reloadEnv();
afterAll(() => {
  delete process.env.BATON_ALLOW_PRIVATE_WEBHOOKS;
  reloadEnv();
});

const { db } = await createTestDatabase();
const api = await startApiServer(db);
const receiver = await start(() => ({ body: "ok" }));
afterAll(() => receiver.close());

describe("/api/v1/automations (automations as code, with API keys)", () => {
  it("a developer key creates, reads, changes, tests and deletes an automation; the audit log names the key's creator", async () => {
    const w = await createWorkspaceWithMembers(db, ["developer"]);
    const { key } = await w.members.developer.caller.apiKeys.create({ workspace: w.ws.slug, name: "ci", role: "developer" });

    const created = await api.call("POST", "/api/v1/automations", {
      key,
      body: { name: "Nightly failed", triggerKind: "run_state", states: ["Failed", "Crashed"], actions: [{ kind: "webhook", url: `${receiver.url}/baton` }] },
    });
    expect(created.status).toBe(201);
    const { automation, newSecrets } = created.json as { automation: { id: string; destinations: { id: string; target: string }[] }; newSecrets: { secret: string }[] };
    expect(newSecrets).toHaveLength(1);
    expect(JSON.stringify(automation)).not.toContain(receiver.url);

    const listed = await api.call("GET", "/api/v1/automations", { key });
    expect(listed.json.automations.map((a: { id: string }) => a.id)).toEqual([automation.id]);

    const action = automation.destinations[0];
    const updated = await api.call("PUT", `/api/v1/automations/${automation.id}`, {
      key,
      body: { name: "Nightly finished", triggerKind: "run_state", states: ["Completed"], actions: [{ kind: "webhook", id: action.id, url: "keep" }] },
    });
    expect(updated.status).toBe(200);
    expect(updated.json.automation).toMatchObject({ name: "Nightly finished", states: ["Completed"], destinations: [{ id: action.id, target: action.target }] });

    const tested = await api.call("POST", `/api/v1/automations/${automation.id}/actions/${action.id}/test`, { key });
    expect(tested.json).toEqual({ outcome: "sent", responseCode: 200, error: null });
    const req = await receiver.waitForRequest();
    expect(verifySignature(newSecrets[0].secret, String(req.headers["baton-signature"]), req.rawBody)).toBe(true);

    expect((await api.call("DELETE", `/api/v1/automations/${automation.id}`, { key })).status).toBe(200);
    expect((await api.call("GET", `/api/v1/automations/${automation.id}`, { key })).status).toBe(404);

    const log = (await w.owner.caller.audit.list({ workspace: w.ws.slug })).items.filter((e) => e.targetType === "automation");
    expect(log.map((e) => e.action).reverse()).toEqual(["automation.created", "automation.updated", "automation.deleted"]);
    expect(new Set(log.map((e) => e.actorLabel))).toEqual(new Set([w.members.developer.user.email]));
  });

  it("bad input is a 400 naming each field; a runner key can read but not change", async () => {
    const w = await createWorkspaceWithMembers(db);
    const { key } = await w.owner.caller.apiKeys.create({ workspace: w.ws.slug, name: "owner", role: "owner" });
    const bad = await api.call("POST", "/api/v1/automations", { key, body: { name: " ", triggerKind: "run_state", states: [], actions: [] } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json.error.details.fieldErrors).sort()).toEqual(["actions", "name", "states"]);

    const { key: runnerKey } = await w.owner.caller.apiKeys.create({ workspace: w.ws.slug, name: "runner", role: "runner" });
    expect((await api.call("GET", "/api/v1/automations", { key: runnerKey })).status).toBe(200);
    const refused = await api.call("POST", "/api/v1/automations", {
      key: runnerKey,
      body: { name: "x", triggerKind: "run_state", states: ["Failed"], actions: [{ kind: "email", roles: ["owner"] }] },
    });
    expect(refused.status).toBe(403);
    expect((await api.call("GET", "/api/v1/automations", { key })).json.automations).toEqual([]);
  });
});
