import { createMiddleware } from "hono/factory";
import type { Db } from "../db/client";
import type { ApiKeyRole } from "../db/schema";
import { AppError } from "../errors";
import { authenticateApiKey, type ApiPrincipal } from "../api-keys/authenticate-api-key";

export type ApiEnv = { Variables: { db: Db; principal: ApiPrincipal } };

/** `Authorization: Bearer bt_…` → the key's workspace, role and user, or 401. */
export const requireApiKey = createMiddleware<ApiEnv>(async (c, next) => {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new AppError("UNAUTHORIZED", "Missing API key. Send `Authorization: Bearer <key>`; create a key in Settings → API keys.");
  c.set("principal", await authenticateApiKey(c.get("db"), match[1]));
  await next();
});

/** Keys with these roles may call a route; the agent role gets only what it is listed for. */
export function allowRoles(...roles: ApiKeyRole[]) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const role = c.get("principal").key.role;
    if (!roles.includes(role)) throw new AppError("FORBIDDEN", `An API key with the ${role} role cannot do this.`);
    await next();
  });
}
