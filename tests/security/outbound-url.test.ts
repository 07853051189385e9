import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reloadEnv } from "../../server/env";
import { isPrivateAddress } from "../../server/security/outbound-url";
import { startApiServer } from "../helpers/api-server";
import { createTestDatabase } from "../helpers/db";
import { createWorkspaceWithMembers } from "../helpers/fixtures";

const { db } = await createTestDatabase();
const api = await startApiServer(db);
const w = await createWorkspaceWithMembers(db, ["developer"]);
const { key } = await w.members.developer.caller.apiKeys.create({ workspace: w.ws.slug, name: "ci", role: "developer" });

const initialAllow = process.env.BATON_ALLOW_PRIVATE_WEBHOOKS;
beforeEach(() => {
  delete process.env.BATON_ALLOW_PRIVATE_WEBHOOKS;
  reloadEnv();
});
afterEach(() => {
  if (initialAllow === undefined) delete process.env.BATON_ALLOW_PRIVATE_WEBHOOKS;
  else process.env.BATON_ALLOW_PRIVATE_WEBHOOKS = initialAllow;
  reloadEnv();
});

/** IPv6 spellings of loopback, private and link-local IPv4 hosts, each routed to that host by some network. */
const EMBEDDED = [
  "::127.0.0.1", // IPv4-compatible
  "::ffff:127.0.0.1", // IPv4-mapped
  "::ffff:0:10.0.0.1", // IPv4-translated (SIIT)
  "64:ff9b::192.168.1.1", // NAT64 well-known prefix
  "64:ff9b::169.254.169.254", // NAT64 to the cloud metadata address
  "64:ff9b:1::a00:1", // NAT64 local-use prefix
  "2002:7f00:1::", // 6to4 of 127.0.0.1
  "2002:a9fe:a9fe::1", // 6to4 of 169.254.169.254
  "2001:0:4136:e378:8000:63bf:80ff:fffe", // Teredo, client 127.0.0.1
];

async function automationCount() {
  const { rows } = await db.$client.query<{ n: number }>("select count(*)::int as n from automations where workspace_id = $1", [w.ws.id]);
  return rows[0].n;
}

describe("webhook URLs that embed a private IPv4 address in IPv6 are refused", () => {
  it("through /api/v1/automations, for every embedding, and nothing is saved", async () => {
    for (const address of EMBEDDED) {
      const res = await api.call("POST", "/api/v1/automations", {
        key,
        body: { name: `to ${address}`, triggerKind: "run_state", states: ["Failed"], actions: [{ kind: "webhook", url: `https://[${address}]/hook` }] },
      });
      expect(res.status, address).toBeGreaterThanOrEqual(400);
      expect(res.status, address).toBeLessThan(500);
      expect(JSON.stringify(res.json), address).toContain("a private, loopback or link-local address");
    }
    expect(await automationCount()).toBe(0);
  });

  it("through tRPC, with the field named", async () => {
    const err = await w.members.developer.caller.automations
      .create({ workspace: w.ws.slug, name: "nat64", triggerKind: "run_state", states: ["Failed"], actions: [{ kind: "webhook", url: "https://[64:ff9b::a9fe:a9fe]/latest/meta-data" }] })
      .catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain("a private, loopback or link-local address");
    expect(await automationCount()).toBe(0);
  });

  it("public addresses in the same forms still pass", async () => {
    for (const address of ["8.8.8.8", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::1", "2606:4700:4700::1111"]) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
    for (const address of [...EMBEDDED, "::1", "::", "fe80::1", "fe80::1%eth0", "fd00::1", "10.0.0.1", "not an address"]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    const ok = await api.call("POST", "/api/v1/automations", {
      key,
      body: { name: "public", triggerKind: "run_state", states: ["Failed"], actions: [{ kind: "webhook", url: "https://[2606:4700:4700::1111]/hook" }] },
    });
    expect(ok.status, JSON.stringify(ok.json)).toBe(201);
  });
});
