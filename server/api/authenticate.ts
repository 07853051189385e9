import { createMiddleware } from "hono/factory";
import type { Db } from "../db/client";
import type { ApiKeyRole } from "../db/schema";
import { AppError } from "../errors";
import { authenticateApiKey, type ApiPrincipal } from "../api-keys/authenticate-api-key";
import type { DispatchListener } from "../dispatch/dispatch-listener";
import { assertRunTokenMayWrite, verifyRunToken } from "../orchestration/run-token";

export type RunPrincipal = { workspaceId: string; runId: string; attempt: number };

export type ApiEnv = { Variables: { db: Db; principal: ApiPrincipal; run: RunPrincipal | null; listener: DispatchListener | null } };

/** `Authorization: Bearer bt_…` → the key's workspace, role and user, or 401. */
export const requireApiKey = createMiddleware<ApiEnv>(async (c, next) => {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new AppError("UNAUTHORIZED", "Missing API key. Send `Authorization: Bearer <key>`; create a key in Settings → API keys.");
  c.set("principal", await authenticateApiKey(c.get("db"), match[1]));
  await next();
});

/**
 * For the calls a running flow makes: a run token (`brt_…`, valid for one run attempt) or an API
 * key. With a run token, `run` is set and routes must only touch that run; a write is refused once
 * the token's attempt is no longer current or has ended (after a grace), reads are not.
 */
export const requireKeyOrRunToken = createMiddleware<ApiEnv>(async (c, next) => {
  const token = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
  if (token.startsWith("brt_")) {
    const claims = verifyRunToken(token);
    if (!claims) throw new AppError("UNAUTHORIZED", "Invalid run token. Run tokens are issued to a run's process by its agent.");
    if (c.req.method !== "GET" && c.req.method !== "HEAD") await assertRunTokenMayWrite(c.get("db").$client, claims);
    c.set("run", claims);
    c.set("principal", { workspace: { id: claims.workspaceId, slug: "", name: "" }, key: { id: "", name: "run token", role: "agent", kind: "personal" }, user: null });
    return next();
  }
  c.set("run", null);
  return requireApiKey(c, next);
});

/** Keys with these roles may call a route; the agent role gets only what it is listed for. */
export function allowRoles(...roles: ApiKeyRole[]) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const role = c.get("principal").key.role;
    if (!roles.includes(role)) throw new AppError("FORBIDDEN", `An API key with the ${role} role cannot do this.`);
    await next();
  });
}
