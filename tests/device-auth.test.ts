import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, auditEvents, deviceAuthorizations } from "../server/db/schema";
import { hashDeviceCode, hashUserCode } from "../server/device-auth/codes";
import { deleteExpiredDeviceAuthorizations } from "../server/device-auth/delete-expired-device-authorizations";
import { GUESS_LIMIT } from "../server/device-auth/find-pending-authorization";
import { START_LIMIT } from "../server/device-auth/start-device-authorization";
import { createTestDatabase } from "./helpers/db";
import { createUser, createWorkspaceWithMembers } from "./helpers/fixtures";
import { startApiServer } from "./helpers/api-server";

/**
 * `baton login`, server side: POST /api/v1/auth/device → a person approves through tRPC (as the
 * /cli/authorize page does) → POST /api/v1/auth/device/token hands out the key exactly once.
 */
const { db } = await createTestDatabase();
const api = await startApiServer(db);

const CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;
let ipCounter = 0;

/** POST with an optional client address (the test server, unlike the app's, lets the client set x-real-ip). */
async function post(path: string, body: unknown, ip?: string) {
  const res = await fetch(api.base + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(ip ? { "x-real-ip": ip } : {}) },
    body: JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  return { status: res.status, json: (await res.json()) as Record<string, any>, headers: res.headers };
}

/** A fresh login request from its own address, so the per-address limit never couples tests. */
async function startLogin(clientName = "CLI on test-laptop") {
  const res = await post("/api/v1/auth/device", { clientName }, `198.51.100.${++ipCounter}`);
  expect(res.status).toBe(200);
  return res.json as { deviceCode: string; userCode: string; verificationUri: string; verificationUriComplete: string; expiresIn: number; interval: number };
}

const poll = (deviceCode: string) => post("/api/v1/auth/device/token", { deviceCode });

async function rowOf(deviceCode: string) {
  const [row] = await db.select().from(deviceAuthorizations).where(eq(deviceAuthorizations.deviceCodeHash, hashDeviceCode(deviceCode)));
  return row;
}

/** As if the CLI last polled `seconds` ago (no sleeping in tests). */
async function pretendLastPollWas(deviceCode: string, seconds: number) {
  await db
    .update(deviceAuthorizations)
    .set({ lastPolledAt: new Date(Date.now() - seconds * 1000) })
    .where(eq(deviceAuthorizations.deviceCodeHash, hashDeviceCode(deviceCode)));
}

describe("POST /api/v1/auth/device", () => {
  it("answers a device code, a readable user code, where to approve, and the timing", async () => {
    const start = await startLogin();
    expect(start.deviceCode.length).toBeGreaterThanOrEqual(40);
    expect(start.userCode).toMatch(CODE);
    expect(start.verificationUri).toMatch(/^https?:\/\/[^/]+\/cli\/authorize$/);
    // Never the code in the link: the person types it (see tests/security/device-login.test.ts).
    expect(start.verificationUriComplete).toBe(start.verificationUri);
    expect(start.expiresIn).toBe(600);
    expect(start.interval).toBe(2);
  });

  it("refuses a missing or too long client name with 422", async () => {
    for (const body of [{}, { clientName: "" }, { clientName: "   " }, { clientName: "x".repeat(101) }]) {
      const res = await post("/api/v1/auth/device", body, "198.51.100.250");
      expect(res.status).toBe(422);
      expect(res.json.error.code).toBe("validation_failed");
    }
  });

  it("limits requests per address: the 31st in an hour gets 429 with Retry-After", async () => {
    const ip = "203.0.113.77";
    for (let i = 0; i < START_LIMIT.limit; i++) expect((await post("/api/v1/auth/device", { clientName: `cli ${i}` }, ip)).status).toBe(200);
    const res = await post("/api/v1/auth/device", { clientName: "one too many" }, ip);
    expect(res.status).toBe(429);
    expect(res.json.error.code).toBe("too_many_requests");
    expect(res.json.error.message).toMatch(/Try again in \d+ minutes?/);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await post("/api/v1/auth/device", { clientName: "elsewhere" }, "203.0.113.78")).status).toBe(200);
  });

  it("both routes are in the OpenAPI document", async () => {
    const doc = (await api.call("GET", "/api/v1/openapi.json")).json;
    expect(Object.keys(doc.paths["/api/v1/auth/device"])).toEqual(["post"]);
    expect(Object.keys(doc.paths["/api/v1/auth/device/token"])).toEqual(["post"]);
    expect(Object.keys(doc.paths["/api/v1/auth/device/token"].post.responses)).toEqual(expect.arrayContaining(["200", "400"]));
  });
});

describe("the device flow end to end", () => {
  it("pending → a developer approves → the key works with their role → a second poll is expired_token", async () => {
    const { ws, members } = await createWorkspaceWithMembers(db, ["developer"]);
    const dev = members.developer;
    const start = await startLogin("CLI on dev-laptop");

    const pending = await poll(start.deviceCode);
    expect(pending.status).toBe(400);
    expect(pending.json.error).toEqual({ code: "authorization_pending", message: expect.stringContaining("approve") });

    // The page looks the code up as typed: lower case and without the dash work too.
    const looked = await dev.caller.deviceAuth.lookup({ userCode: start.userCode.replace("-", "").toLowerCase() });
    expect(looked).toMatchObject({ userCode: start.userCode, clientName: "CLI on dev-laptop" });
    expect(new Date(looked.expiresAt).getTime()).toBeGreaterThan(Date.now() + 500_000);

    const approved = await dev.caller.deviceAuth.approve({ workspace: ws.slug, userCode: start.userCode, role: "developer" });
    expect(approved).toEqual({ clientName: "CLI on dev-laptop", role: "developer", workspace: { slug: ws.slug, name: ws.name } });
    // Approval alone makes no key: it is made when the CLI collects it, so its plaintext is never stored.
    expect(await db.select().from(apiKeys).where(eq(apiKeys.workspaceId, ws.id))).toHaveLength(0);

    const token = await poll(start.deviceCode);
    expect(token.status).toBe(200);
    expect(token.json).toEqual({
      key: expect.stringMatching(/^bt_/),
      keyName: "CLI on dev-laptop",
      role: "developer",
      workspace: { id: ws.id, slug: ws.slug, name: ws.name },
      user: { id: dev.user.id, email: dev.user.email, name: null },
    });

    const me = await api.call("GET", "/api/v1/me", { key: token.json.key });
    expect(me.status).toBe(200);
    expect(me.json).toEqual({ workspace: { id: ws.id, slug: ws.slug, name: ws.name }, key: { name: "CLI on dev-laptop", role: "developer", kind: "personal" }, user: { id: dev.user.id, email: dev.user.email, name: null } });

    // A key like one made in Settings → API keys: listed, created by the approver, audited.
    const listed = await dev.caller.apiKeys.list({ workspace: ws.slug });
    expect(listed).toEqual([expect.objectContaining({ name: "CLI on dev-laptop", role: "developer", createdBy: dev.user.email })]);
    const events = await db.select().from(auditEvents).where(eq(auditEvents.workspaceId, ws.id));
    expect(events.filter((e) => e.action === "cli_login.approved")).toEqual([
      expect.objectContaining({ actorId: dev.user.id, targetLabel: "CLI on dev-laptop", details: expect.objectContaining({ role: "developer" }) }),
    ]);
    expect(events.filter((e) => e.action === "api_key.created")).toEqual([expect.objectContaining({ actorId: dev.user.id, targetLabel: "CLI on dev-laptop" })]);

    const again = await poll(start.deviceCode);
    expect(again.status).toBe(400);
    expect(again.json.error.code).toBe("expired_token");
    expect(again.json.error.message).toContain("baton login");
    expect(await db.select().from(apiKeys).where(eq(apiKeys.workspaceId, ws.id))).toHaveLength(1);
    // The code cannot be approved a second time either.
    await expect(dev.caller.deviceAuth.approve({ workspace: ws.slug, userCode: start.userCode, role: "developer" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("Deny → access_denied, every time, and no key", async () => {
    const { ws, owner } = await createWorkspaceWithMembers(db);
    const start = await startLogin();
    const denied = await owner.caller.deviceAuth.deny({ workspace: ws.slug, userCode: start.userCode });
    expect(denied.workspace.slug).toBe(ws.slug);
    for (let i = 0; i < 2; i++) {
      await pretendLastPollWas(start.deviceCode, 60);
      const res = await poll(start.deviceCode);
      expect(res.status).toBe(400);
      expect(res.json.error).toEqual({ code: "access_denied", message: expect.stringContaining("denied") });
    }
    expect(await db.select().from(apiKeys).where(eq(apiKeys.workspaceId, ws.id))).toHaveLength(0);
    const [event] = await db.select().from(auditEvents).where(and(eq(auditEvents.workspaceId, ws.id), eq(auditEvents.action, "cli_login.denied")));
    expect(event).toMatchObject({ actorId: owner.user.id, targetLabel: "CLI on test-laptop" });
  });

  it("polling sooner than the interval → slow_down, and the interval grows by 5 s each time", async () => {
    const start = await startLogin();
    expect((await poll(start.deviceCode)).json.error.code).toBe("authorization_pending");

    const fast = await poll(start.deviceCode);
    expect(fast.status).toBe(400);
    expect(fast.json.error).toEqual({ code: "slow_down", message: expect.stringContaining("7 seconds"), details: { interval: 7 } });
    expect((await rowOf(start.deviceCode)).intervalSeconds).toBe(7);

    // 3 s later is fine under the old 2 s interval but not under the new 7 s one.
    await pretendLastPollWas(start.deviceCode, 3);
    expect((await poll(start.deviceCode)).json.error).toMatchObject({ code: "slow_down", details: { interval: 12 } });

    await pretendLastPollWas(start.deviceCode, 12);
    expect((await poll(start.deviceCode)).json.error.code).toBe("authorization_pending");
  });

  it("an approved code answers the key even to a quick poll, and concurrent polls get exactly one key", async () => {
    const { ws, owner } = await createWorkspaceWithMembers(db);
    const start = await startLogin();
    await poll(start.deviceCode);
    await owner.caller.deviceAuth.approve({ workspace: ws.slug, userCode: start.userCode, role: "developer" });
    const results = await Promise.all(Array.from({ length: 5 }, () => poll(start.deviceCode)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400).map((r) => r.json.error.code)).toEqual(Array(4).fill("expired_token"));
    expect(await db.select().from(apiKeys).where(eq(apiKeys.workspaceId, ws.id))).toHaveLength(1);
  });

  it("after 10 minutes the code is expired everywhere: token, lookup and approve", async () => {
    const { ws, owner } = await createWorkspaceWithMembers(db);
    const start = await startLogin();
    await db
      .update(deviceAuthorizations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(deviceAuthorizations.deviceCodeHash, hashDeviceCode(start.deviceCode)));

    const res = await poll(start.deviceCode);
    expect(res.status).toBe(400);
    expect(res.json.error).toEqual({ code: "expired_token", message: "The code expired. Run `baton login` again." });
    await expect(owner.caller.deviceAuth.lookup({ userCode: start.userCode })).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("expired") });
    await expect(owner.caller.deviceAuth.approve({ workspace: ws.slug, userCode: start.userCode, role: "developer" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await rowOf(start.deviceCode)).status).toBe("pending");
  });

  it("an unknown device code is expired_token; a body without one is 422", async () => {
    const res = await poll("not-a-real-device-code");
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("expired_token");
    expect((await post("/api/v1/auth/device/token", {})).status).toBe(422);
  });

  it("a runner's approval gives a runner key; a role change before collection is honoured", async () => {
    const { ws, owner, members } = await createWorkspaceWithMembers(db, ["runner", "developer"]);
    const runnerLogin = await startLogin("CLI on runner-box");
    await members.runner.caller.deviceAuth.approve({ workspace: ws.slug, userCode: runnerLogin.userCode, role: "runner" });
    const runnerToken = await poll(runnerLogin.deviceCode);
    expect(runnerToken.json.role).toBe("runner");
    expect((await api.call("GET", "/api/v1/me", { key: runnerToken.json.key })).json.key.role).toBe("runner");

    // The picked role must still be the approver's to give when the key is made, not only when they clicked.
    const devLogin = await startLogin("CLI on dev-box");
    await members.developer.caller.deviceAuth.approve({ workspace: ws.slug, userCode: devLogin.userCode, role: "developer" });
    await owner.caller.members.changeRole({ workspace: ws.slug, userId: members.developer.user.id, role: "viewer" });
    const refused = await poll(devLogin.deviceCode);
    expect(refused.json.error).toMatchObject({ code: "access_denied", message: expect.stringContaining("now a viewer") });
    expect(await db.select().from(apiKeys).where(and(eq(apiKeys.workspaceId, ws.id), eq(apiKeys.name, "CLI on dev-box")))).toHaveLength(0);
  });

  it("someone who is not a member of workspace X cannot approve into X: 404, and no key", async () => {
    const X = await createWorkspaceWithMembers(db);
    const outsider = await createWorkspaceWithMembers(db);
    const start = await startLogin();
    const notFound = { code: "NOT_FOUND", message: `Workspace "${X.ws.slug}" not found.` };
    await expect(outsider.owner.caller.deviceAuth.approve({ workspace: X.ws.slug, userCode: start.userCode, role: "developer" })).rejects.toMatchObject(notFound);
    await expect(outsider.owner.caller.deviceAuth.deny({ workspace: X.ws.slug, userCode: start.userCode })).rejects.toMatchObject(notFound);
    expect(await rowOf(start.deviceCode)).toMatchObject({ status: "pending", workspaceId: null, decidedBy: null });
    expect((await poll(start.deviceCode)).json.error.code).toBe("authorization_pending");
    expect(await db.select().from(apiKeys).where(eq(apiKeys.workspaceId, X.ws.id))).toHaveLength(0);
  });

  it("the database holds neither code in plain text", async () => {
    const start = await startLogin();
    const compact = start.userCode.replace("-", "");
    const { rows } = await db.$client.query("select t::text as row from device_authorizations t");
    const dump = rows.map((r) => r.row).join("\n");
    for (const secret of [start.deviceCode, start.userCode, compact]) expect(dump).not.toContain(secret);
    expect(await rowOf(start.deviceCode)).toMatchObject({ userCodeHash: hashUserCode(compact), clientName: "CLI on test-laptop", status: "pending", intervalSeconds: 2 });
  });
});

describe("guessing user codes", () => {
  it("malformed codes are refused without counting; after 20 wrong codes even the right one is refused", async () => {
    const { ws, owner } = await createWorkspaceWithMembers(db);
    const guesser = owner.caller.deviceAuth;
    await expect(guesser.lookup({ userCode: "ABC" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("8 letters") });

    const start = await startLogin();
    const wrong = start.userCode === "BBBB-BBBB" ? "CCCC-CCCC" : "BBBB-BBBB";
    for (let i = 0; i < GUESS_LIMIT.limit; i++) {
      await expect(guesser.lookup({ userCode: wrong })).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("No login request has the code") });
    }
    await expect(guesser.lookup({ userCode: start.userCode })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS", message: expect.stringContaining("Too many wrong codes") });
    await expect(guesser.approve({ workspace: ws.slug, userCode: start.userCode, role: "developer" })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect((await rowOf(start.deviceCode)).status).toBe("pending");

    // The limit is per person: someone else approves it fine.
    const other = await createUser(db);
    await expect(other.caller.deviceAuth.lookup({ userCode: start.userCode })).resolves.toMatchObject({ clientName: "CLI on test-laptop" });
  });
});

describe("housekeeping", () => {
  it("deletes expired login requests and keeps live ones", async () => {
    const live = await startLogin();
    const old = await startLogin();
    await db
      .update(deviceAuthorizations)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(deviceAuthorizations.deviceCodeHash, hashDeviceCode(old.deviceCode)));
    expect(await deleteExpiredDeviceAuthorizations(db)).toBeGreaterThanOrEqual(1);
    expect(await rowOf(old.deviceCode)).toBeUndefined();
    expect(await rowOf(live.deviceCode)).toBeDefined();
    expect((await poll(old.deviceCode)).json.error.code).toBe("expired_token");
  });
});
