import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys } from "../server/db/schema";
import { generateApiKey, hashApiKey, isWellFormedApiKey } from "../server/api-keys/key-format";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers } from "./helpers/fixtures";
import { startApiServer } from "./helpers/api-server";

const { db } = await createTestDatabase();
const api = await startApiServer(db);

describe("API key format", () => {
  it("is bt_ + base62 body + checksum, and a typo fails the checksum", () => {
    const key = generateApiKey();
    expect(key).toMatch(/^bt_[0-9A-Za-z]{49}$/);
    expect(isWellFormedApiKey(key)).toBe(true);
    const typo = key.slice(0, 10) + (key[10] === "a" ? "b" : "a") + key.slice(11);
    expect(isWellFormedApiKey(typo)).toBe(false);
    expect(new Set(Array.from({ length: 200 }, generateApiKey)).size).toBe(200);
  });
});

describe("API keys through /api/v1/me", () => {
  it("create → /me works → revoke → 401 on the next request", async () => {
    const { ws, owner } = await createWorkspaceWithMembers(db);
    const { key, apiKey } = await owner.caller.apiKeys.create({ workspace: ws.slug, name: "ci", role: "developer" });

    const me = await api.call("GET", "/api/v1/me", { key });
    expect(me.status).toBe(200);
    expect(me.json).toEqual({
      workspace: { id: ws.id, slug: ws.slug, name: ws.name },
      key: { name: "ci", role: "developer", kind: "personal" },
      user: { id: owner.user.id, email: owner.user.email, name: null },
    });

    // Only a hash and a display prefix are stored.
    const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, apiKey.id));
    expect(row.keyHash).toBe(hashApiKey(key));
    expect(JSON.stringify(row)).not.toContain(key);
    expect(row.prefix).toBe(key.slice(0, 10));

    const listed = await owner.caller.apiKeys.list({ workspace: ws.slug });
    expect(listed[0]).toMatchObject({ name: "ci", prefix: key.slice(0, 10), createdBy: owner.user.email });
    expect(listed[0].lastUsedAt).not.toBeNull();

    await owner.caller.apiKeys.revoke({ workspace: ws.slug, keyId: apiKey.id });
    const after = await api.call("GET", "/api/v1/me", { key });
    expect(after.status).toBe(401);
    expect(after.json.error).toMatchObject({ code: "unauthorized", message: expect.stringContaining("revoked") });
  });

  it("an expired key gets 401, even right after it was used", async () => {
    const { ws, owner } = await createWorkspaceWithMembers(db);
    const expiresAt = Date.now() + 1500;
    const { key } = await owner.caller.apiKeys.create({ workspace: ws.slug, name: "short", role: "viewer", expiresAt: new Date(expiresAt).toISOString() });
    expect((await api.call("GET", "/api/v1/me", { key })).status).toBe(200);
    await new Promise((r) => setTimeout(r, expiresAt - Date.now() + 50));
    const res = await api.call("GET", "/api/v1/me", { key });
    expect(res.status).toBe(401);
    expect(res.json.error.message).toContain("expired");
  });

  it("missing, malformed and unknown keys get 401 with a JSON error", async () => {
    for (const key of [undefined, "nope", "bt_" + "a".repeat(49), generateApiKey()]) {
      const res = await api.call("GET", "/api/v1/me", { key });
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe("unauthorized");
      expect(res.json.error.message.length).toBeGreaterThan(10);
    }
  });

  it("a key never acts above its creator's current role, and dies when they leave", async () => {
    const { ws, owner, members } = await createWorkspaceWithMembers(db, ["developer"]);
    const dev = members.developer;
    const { key } = await dev.caller.apiKeys.create({ workspace: ws.slug, name: "dev key", role: "developer" });
    await owner.caller.members.changeRole({ workspace: ws.slug, userId: dev.user.id, role: "viewer" });
    expect((await api.call("GET", "/api/v1/me", { key })).json.key.role).toBe("viewer");
    await owner.caller.members.remove({ workspace: ws.slug, userId: dev.user.id });
    expect((await api.call("GET", "/api/v1/me", { key })).status).toBe(401);
  });

  it("nobody creates a key above their own role; developers may create agent keys", async () => {
    const { ws, members } = await createWorkspaceWithMembers(db, ["developer", "runner"]);
    await expect(members.developer.caller.apiKeys.create({ workspace: ws.slug, name: "x", role: "owner" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const agent = await members.developer.caller.apiKeys.create({ workspace: ws.slug, name: "agent", role: "agent" });
    expect((await api.call("GET", "/api/v1/me", { key: agent.key })).json.key.role).toBe("agent");
    await expect(members.runner.caller.apiKeys.create({ workspace: ws.slug, name: "x", role: "runner" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("/api/v1 layer", () => {
  it("serves an OpenAPI document generated from the protocol schemas", async () => {
    const res = await api.call("GET", "/api/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.json.paths["/api/v1/me"].get).toBeTruthy();
    expect(res.json.components.schemas.Me).toBeTruthy();
    expect(res.json.components.schemas.Error).toBeTruthy();
  });

  it("answers a body that is not JSON with a 400 that says so", async () => {
    const { ws, owner } = await createWorkspaceWithMembers(db);
    const { key } = await owner.caller.apiKeys.create({ workspace: ws.slug, name: "ci", role: "developer" });
    const res = await fetch(`${api.base}/api/v1/deployments`, { method: "PUT", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: "{not json" });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: "bad_request", message: expect.stringContaining("not valid JSON") });
  });

  it("answers unknown routes with a JSON 404 and oversized bodies with 413", async () => {
    const res = await api.call("GET", "/api/v1/nope");
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("not_found");
    const big = await fetch(`${api.base}/api/v1/me`, { method: "POST", headers: { "content-type": "application/json" }, body: "x".repeat(1024 * 1024 + 10) });
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe("payload_too_large");
  });
});
