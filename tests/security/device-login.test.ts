import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, deviceAuthorizations } from "../../server/db/schema";
import { hashDeviceCode } from "../../server/device-auth/codes";
import { createTestDatabase } from "../helpers/db";
import { createWorkspaceWithMembers } from "../helpers/fixtures";
import { startApiServer } from "../helpers/api-server";

/**
 * Device-login phishing: an attacker starts `baton login` with a reassuring name and sends the
 * victim the approval link. The victim must see where and when it was started, type the code
 * themselves, and give the key only the role they pick.
 */
const { db } = await createTestDatabase();
const api = await startApiServer(db);
let ipCounter = 0;

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(api.base + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

async function startLogin(clientName: string, userAgent = "baton-cli/0.1.0") {
  const ip = `203.0.113.${++ipCounter}`;
  const res = await post("/api/v1/auth/device", { clientName }, { "x-real-ip": ip, "user-agent": userAgent });
  expect(res.status).toBe(200);
  return { ip, ...(res.json as { deviceCode: string; userCode: string; verificationUri: string; verificationUriComplete: string }) };
}

const poll = (deviceCode: string) => post("/api/v1/auth/device/token", { deviceCode });

describe("device-login phishing", () => {
  it("the link the CLI opens carries no code: a person must type the one their terminal shows", async () => {
    const login = await startLogin("Baton security check — approve to keep access");
    expect(login.verificationUriComplete).toBe(login.verificationUri);
    expect(login.verificationUriComplete).not.toContain(login.userCode);
    expect(new URL(login.verificationUriComplete).search).toBe("");
  });

  it("the approval page learns where, with what and when the login was started, besides the name it chose", async () => {
    const { members } = await createWorkspaceWithMembers(db, ["developer"]);
    const before = Date.now();
    const login = await startLogin("Baton security check — approve to keep access", "curl/8.5.0");
    const looked = await members.developer.caller.deviceAuth.lookup({ userCode: login.userCode });
    expect(looked).toMatchObject({
      clientName: "Baton security check — approve to keep access",
      requestedIp: login.ip,
      requestedUserAgent: "curl/8.5.0",
    });
    expect(new Date(looked.requestedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(new Date(looked.requestedAt).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it("the approver picks the key's role: an agent-only key for an agent machine, never more than their own", async () => {
    const { ws, owner, members } = await createWorkspaceWithMembers(db, ["developer", "viewer"]);

    const agentLogin = await startLogin("CLI on build-agent-7");
    const decided = await members.developer.caller.deviceAuth.approve({ workspace: ws.slug, userCode: agentLogin.userCode, role: "agent" });
    expect(decided.role).toBe("agent");
    const token = await poll(agentLogin.deviceCode);
    expect(token.json.role).toBe("agent");
    expect((await api.call("GET", "/api/v1/me", { key: token.json.key })).json.key.role).toBe("agent");

    // An owner approving picks the role too: approving does not hand out an owner key by itself.
    const ownerLogin = await startLogin("CLI on owner-laptop");
    await owner.caller.deviceAuth.approve({ workspace: ws.slug, userCode: ownerLogin.userCode, role: "developer" });
    expect((await poll(ownerLogin.deviceCode)).json.role).toBe("developer");

    const tooHigh = await startLogin("CLI on dev-laptop");
    await expect(members.developer.caller.deviceAuth.approve({ workspace: ws.slug, userCode: tooHigh.userCode, role: "owner" })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("Pick a lower role"),
    });
    await expect(members.viewer.caller.deviceAuth.approve({ workspace: ws.slug, userCode: tooHigh.userCode, role: "agent" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const [row] = await db.select().from(deviceAuthorizations).where(eq(deviceAuthorizations.deviceCodeHash, hashDeviceCode(tooHigh.deviceCode)));
    expect(row.status).toBe("pending");
    expect((await poll(tooHigh.deviceCode)).json.error.code).toBe("authorization_pending");
    expect(await db.select().from(apiKeys).where(eq(apiKeys.name, "CLI on dev-laptop"))).toHaveLength(0);
  });
});
