import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, incomingWebhookRequests, incomingWebhooks } from "../server/db/schema";
import { uuidv7 } from "../server/db/uuidv7";
import { deleteExpiredData } from "../server/services/retention";
import { startApiServer } from "./helpers/api-server";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers } from "./helpers/fixtures";
import { callHook, createEndpoint, githubSignature, requestLog } from "./helpers/incoming-webhooks";
import { deploy, orchestrationWorkspace } from "./helpers/orchestration";

const { db } = await createTestDatabase();
const api = await startApiServer(db);

const SCHEMA = { type: "object", properties: { ref: { type: "string" }, epochs: { type: "integer" } }, required: ["ref"] };

describe("incoming webhooks: managing endpoints", () => {
  it("the signing secret is shown once: never in a list, a get, the database or the audit log", async () => {
    const w = await orchestrationWorkspace(db, api);
    const d = await deploy(api, w.key);
    const { hook, secret } = await createEndpoint(api, w.key, { deploymentId: d.id, signatureScheme: "github" });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{40,}$/);
    const listed = await api.call("GET", "/api/v1/incoming-webhooks", { key: w.key });
    const got = await api.call("GET", `/api/v1/incoming-webhooks/${hook.id}`, { key: w.key });
    const patched = await api.call("PATCH", `/api/v1/incoming-webhooks/${hook.id}`, { key: w.key, body: { name: "renamed" } });
    expect(patched.json.secret).toBeNull();
    const trpc = [await w.owner.caller.incomingWebhooks.list({ workspace: w.ws.slug }), await w.owner.caller.incomingWebhooks.get({ workspace: w.ws.slug, id: hook.id })];
    const [row] = await db.select().from(incomingWebhooks).where(eq(incomingWebhooks.id, hook.id));
    const audit = await db.select().from(auditEvents).where(eq(auditEvents.workspaceId, w.ws.id));
    for (const seen of [listed.json, got.json, patched.json, trpc, row, audit]) expect(JSON.stringify(seen)).not.toContain(secret!.slice(6));
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(["incoming_webhook.created", "incoming_webhook.changed"]));
  });

  it("a change of scheme makes a new secret (returned once); back to none drops it", async () => {
    const w = await orchestrationWorkspace(db, api);
    const d = await deploy(api, w.key);
    const { hook, path, secret } = await createEndpoint(api, w.key, { deploymentId: d.id });
    expect(secret).toBeNull();
    const toGithub = await api.call("PATCH", `/api/v1/incoming-webhooks/${hook.id}`, { key: w.key, body: { signatureScheme: "github" } });
    expect(toGithub.json.secret).toMatch(/^whsec_/);
    expect((await callHook(api.base, path, "{}")).status).toBe(401);
    expect((await callHook(api.base, path, "{}", { "x-hub-signature-256": githubSignature(toGithub.json.secret, "{}") })).status).toBe(202);
    // A secret of the sender's own (as Stripe makes) replaces Baton's, and is not echoed back.
    const own = await api.call("PATCH", `/api/v1/incoming-webhooks/${hook.id}`, { key: w.key, body: { secret: "my-own-secret-0123456789" } });
    expect(own.json.secret).toBeNull();
    expect((await callHook(api.base, path, "{}", { "x-hub-signature-256": githubSignature("my-own-secret-0123456789", "{}") })).status).toBe(202);
    const toNone = await api.call("PATCH", `/api/v1/incoming-webhooks/${hook.id}`, { key: w.key, body: { signatureScheme: "none" } });
    expect(toNone.json.secret).toBeNull();
    expect((await callHook(api.base, path, "{}")).status).toBe(202);
    const refused = await api.call("PATCH", `/api/v1/incoming-webhooks/${hook.id}`, { key: w.key, body: { secret: "my-own-secret-0123456789" } });
    expect(refused.status).toBe(422);
    expect(refused.json.error.message).toContain("needs a signature scheme");
  });

  it("the routes are in the OpenAPI document", async () => {
    const doc = (await api.call("GET", "/api/v1/openapi.json")).json;
    expect(Object.keys(doc.paths["/api/v1/incoming-webhooks"])).toEqual(expect.arrayContaining(["get", "post"]));
    expect(doc.paths["/api/v1/incoming-webhooks/{id}/rotate"].post).toBeTruthy();
    expect(doc.components.schemas.IncomingWebhookWithSecret).toBeTruthy();
  });

  it("a template is checked when saved: its syntax, its roots, and the deployment's schema", async () => {
    const w = await orchestrationWorkspace(db, api);
    const d = await deploy(api, w.key, { parameterSchema: SCHEMA });
    const refused = async (parameterTemplate: unknown, text: string) => {
      const res = await api.call("POST", "/api/v1/incoming-webhooks", { key: w.key, body: { name: "h", deploymentId: d.id, parameterTemplate } });
      expect(res.status, JSON.stringify(res.json)).toBe(422);
      expect(res.json.error.message).toContain(text);
    };
    await refused({ ref: "{{ run.parameters.ref }}" }, '{{ body.… }}, {{ headers.… }}, {{ query.… }}');
    await refused({ ref: "{{ body.ref }" }, "Unbalanced braces");
    await refused({ epochs: 3 }, "ref is required");
    await refused({ ref: "{{ body.ref }}", epochs: "many" }, "epochs");
    expect((await api.call("POST", "/api/v1/incoming-webhooks", { key: w.key, body: { name: "h", deploymentId: d.id, parameterTemplate: { ref: "{{ body.ref }}" } } })).status).toBe(201);
    const taken = await api.call("POST", "/api/v1/incoming-webhooks", { key: w.key, body: { name: "h", deploymentId: d.id, parameterTemplate: { ref: "x" } } });
    expect(taken.status).toBe(409);
    // Rebinding to a deployment whose schema the template does not fit is refused too.
    const strict = await deploy(api, w.key, { parameterSchema: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] } });
    const hook = (await api.call("GET", "/api/v1/incoming-webhooks", { key: w.key })).json.incomingWebhooks[0];
    expect((await api.call("PATCH", `/api/v1/incoming-webhooks/${hook.id}`, { key: w.key, body: { deploymentId: strict.id } })).status).toBe(422);
  });

  it("roles: viewers and runners read endpoints and logs without the URL; only developers and owners write", async () => {
    const { ws, owner, members } = await createWorkspaceWithMembers(db, ["viewer", "runner", "developer"]);
    const slug = ws.slug;
    const { key: ownerKey } = await owner.caller.apiKeys.create({ workspace: slug, name: "o", role: "owner" });
    const d = await deploy(api, ownerKey);
    const created = await members.developer.caller.incomingWebhooks.create({ workspace: slug, name: "dev-hook", deploymentId: d.id });
    const id = created.incomingWebhook.id;
    expect(created.incomingWebhook.url).toMatch(/\/hooks\/[A-Za-z0-9_-]{32}$/);
    for (const role of ["viewer", "runner"] as const) {
      const caller = members[role].caller;
      const [listed] = await caller.incomingWebhooks.list({ workspace: slug });
      expect(listed).toMatchObject({ name: "dev-hook", url: null });
      expect((await caller.incomingWebhooks.get({ workspace: slug, id })).url).toBeNull();
      expect((await caller.incomingWebhooks.requests({ workspace: slug, id })).requests).toEqual([]);
      for (const call of [
        () => caller.incomingWebhooks.create({ workspace: slug, name: "mine", deploymentId: d.id }),
        () => caller.incomingWebhooks.update({ workspace: slug, id, enabled: false }),
        () => caller.incomingWebhooks.rotate({ workspace: slug, id }),
        () => caller.incomingWebhooks.delete({ workspace: slug, id }),
      ]) {
        await expect(call(), role).rejects.toMatchObject({ code: "FORBIDDEN" });
      }
    }
    // The same through API keys.
    for (const role of ["viewer", "runner"] as const) {
      const { key } = await owner.caller.apiKeys.create({ workspace: slug, name: role, role });
      const listed = await api.call("GET", "/api/v1/incoming-webhooks", { key });
      expect(listed.status).toBe(200);
      expect(listed.json.incomingWebhooks[0].url).toBeNull();
      expect((await api.call("GET", `/api/v1/incoming-webhooks/${id}/requests`, { key })).status).toBe(200);
      expect((await api.call("POST", "/api/v1/incoming-webhooks", { key, body: { name: "mine", deploymentId: d.id } })).status).toBe(403);
      expect((await api.call("PATCH", `/api/v1/incoming-webhooks/${id}`, { key, body: { enabled: false } })).status).toBe(403);
      expect((await api.call("POST", `/api/v1/incoming-webhooks/${id}/rotate`, { key })).status).toBe(403);
      expect((await api.call("DELETE", `/api/v1/incoming-webhooks/${id}`, { key })).status).toBe(403);
    }
    const [row] = await db.select().from(incomingWebhooks).where(eq(incomingWebhooks.id, id));
    expect(row).toMatchObject({ enabled: true, name: "dev-hook" });
    await owner.caller.incomingWebhooks.delete({ workspace: slug, id });
    expect((await callHook(api.base, new URL(created.incomingWebhook.url!).pathname, "{}")).status).toBe(404);
  });

  it("the request log keeps the last 500 calls per endpoint (and none past the retention period) and shows a long body's first 8 KiB", async () => {
    const w = await orchestrationWorkspace(db, api);
    const d = await deploy(api, w.key);
    const { hook, path } = await createEndpoint(api, w.key, { deploymentId: d.id, parameterTemplate: { n: "{{ body.n }}" } });
    // 500 older calls, written directly: making them through HTTP would only slow the test.
    const base = Date.now() - 3_600_000;
    await db.insert(incomingWebhookRequests).values(
      Array.from({ length: 500 }, (_, i) => ({ id: uuidv7(base + i), workspaceId: w.ws.id, endpointId: hook.id, headers: {}, query: {}, body: "{}", bodyBytes: 2, outcome: "run_created" as const, status: 202 })),
    );
    const long = JSON.stringify({ n: 1, pad: "é".repeat(10_000) });
    expect((await callHook(api.base, path, long)).status).toBe(202);
    const rows = await db.select({ id: incomingWebhookRequests.id }).from(incomingWebhookRequests).where(eq(incomingWebhookRequests.endpointId, hook.id));
    expect(rows).toHaveLength(500);
    const [newest] = await requestLog(api, w.key, hook.id);
    expect(newest.bodyTruncated).toBe(true);
    expect(Buffer.byteLength(newest.body)).toBeLessThanOrEqual(8 * 1024);
    expect(long.startsWith(newest.body)).toBe(true);
    // The retention period applies too: calls older than it go, with their bodies.
    await db.update(incomingWebhookRequests).set({ receivedAt: new Date(Date.now() - 40 * 86_400_000) }).where(eq(incomingWebhookRequests.id, rows[0].id));
    const swept = await deleteExpiredData(db, { now: new Date(), retentionDays: 30, workspaces: { only: [w.ws.id] } });
    expect(swept.webhookRequests).toBe(1);
    const page = await api.call("GET", `/api/v1/incoming-webhooks/${hook.id}/requests?limit=200`, { key: w.key });
    expect(page.json.requests).toHaveLength(200);
    const next = await api.call("GET", `/api/v1/incoming-webhooks/${hook.id}/requests?limit=200&cursor=${page.json.nextCursor}`, { key: w.key });
    expect(next.json.requests[0].id < page.json.requests[199].id).toBe(true);
  });
});
