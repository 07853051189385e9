import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { deviceAuthorizations } from "../../server/db/schema";
import { hashDeviceCode } from "../../server/device-auth/codes";
import type { CrossTenantContext, RouteCases } from "./context";

/**
 * The two `baton login` routes are public by design: the first hands out codes to anyone, the
 * second is authenticated by the device code alone. What must hold: a key of B changes nothing
 * about what they do, the new request belongs to no workspace until a member approves it, and
 * polling another workspace's decided request leaks no key and changes none of A's rows.
 */
export async function cases(ctx: CrossTenantContext): Promise<RouteCases> {
  const { api } = ctx;
  const aDenied = (await api.call("POST", "/api/v1/auth/device", { body: { clientName: "A's laptop" } })).json;
  await ctx.A.owner.caller.deviceAuth.deny({ workspace: ctx.A.ws.slug, userCode: aDenied.userCode });

  return {
    "POST /api/v1/auth/device": async () => {
      const res = await api.call("POST", "/api/v1/auth/device", { key: ctx.bKey, body: { clientName: "B's laptop" } });
      expect(res.status).toBe(200);
      const [row] = await ctx.db.select().from(deviceAuthorizations).where(eq(deviceAuthorizations.deviceCodeHash, hashDeviceCode(res.json.deviceCode)));
      expect(row).toMatchObject({ status: "pending", workspaceId: null, decidedBy: null });
    },
    "POST /api/v1/auth/device/token": async () => {
      for (const key of [ctx.bKey, ctx.bAgentKey]) {
        const denied = await api.call("POST", "/api/v1/auth/device/token", { key, body: { deviceCode: aDenied.deviceCode } });
        expect(denied.status).toBe(400);
        expect(denied.json.error.code).toBe("access_denied");
        expect(JSON.stringify(denied.json)).not.toContain("bt_");
        const unknown = await api.call("POST", "/api/v1/auth/device/token", { key, body: { deviceCode: "guessed" } });
        expect(unknown.json.error.code).toBe("expired_token");
      }
    },
  };
}
