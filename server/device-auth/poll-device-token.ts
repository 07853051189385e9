import { and, eq } from "drizzle-orm";
import type { DeviceToken, DeviceTokenError } from "../../agent/protocol/device-auth";
import { canGrantKeyRole, createApiKey } from "../api-keys/manage-api-keys";
import type { Db } from "../db/client";
import { deviceAuthorizations, memberships, users, workspaces } from "../db/schema";
import { hashDeviceCode, SLOW_DOWN_STEP_SECONDS } from "./codes";

export type PollOutcome =
  | { ok: true; token: DeviceToken }
  | { ok: false; error: DeviceTokenError; message: string; details?: { interval: number } };

/** Network jitter: a poll this much early still counts as on time. */
const EARLY_TOLERANCE_MS = 250;

const fail = (error: DeviceTokenError, message: string, details?: { interval: number }): PollOutcome => ({ ok: false, error, message, details });

/**
 * `baton login` step 3: the CLI polls with its device code. Once a person approved, the first
 * poll creates the API key (so its plaintext exists only in this answer) and consumes the code;
 * the row lock makes that happen exactly once however many polls race.
 */
export async function pollDeviceToken(db: Db, input: { deviceCode: string; ip: string | null }): Promise<PollOutcome> {
  const now = new Date();
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(deviceAuthorizations).where(eq(deviceAuthorizations.deviceCodeHash, hashDeviceCode(input.deviceCode))).for("update");
    if (!row) return fail("expired_token", "This login request is unknown or expired. Run `baton login` again.");
    if (row.status === "consumed") return fail("expired_token", "This login request was already completed. Run `baton login` again to sign in anew.");
    if (row.expiresAt <= now) return fail("expired_token", "The code expired. Run `baton login` again.");
    if (row.status === "denied") return fail("access_denied", "The login request was denied in the browser. Run `baton login` again if that was a mistake.");

    if (row.status === "pending") {
      const tooSoon = row.lastPolledAt !== null && now.getTime() - row.lastPolledAt.getTime() < row.intervalSeconds * 1000 - EARLY_TOLERANCE_MS;
      const intervalSeconds = tooSoon ? row.intervalSeconds + SLOW_DOWN_STEP_SECONDS : row.intervalSeconds;
      await tx.update(deviceAuthorizations).set({ lastPolledAt: now, intervalSeconds }).where(eq(deviceAuthorizations.id, row.id));
      if (tooSoon) return fail("slow_down", `Polling too often. Wait ${intervalSeconds} seconds between requests.`, { interval: intervalSeconds });
      return fail("authorization_pending", "Waiting for you to approve this login in the browser.");
    }

    // Approved: the picked role, as long as the approver may still give it (roles change).
    const [who] = await tx
      .select({ role: memberships.role, workspace: { id: workspaces.id, slug: workspaces.slug, name: workspaces.name }, user: { id: users.id, email: users.email, name: users.name } })
      .from(memberships)
      .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.workspaceId, row.workspaceId!), eq(memberships.userId, row.decidedBy!)));
    await tx.update(deviceAuthorizations).set({ status: "consumed", lastPolledAt: now }).where(eq(deviceAuthorizations.id, row.id));
    if (!who) return fail("access_denied", "The person who approved is no longer a member of that workspace. Run `baton login` again.");
    if (!row.keyRole || !canGrantKeyRole(who.role, row.keyRole)) {
      return fail("access_denied", `The person who approved is now a ${who.role} and cannot give a ${row.keyRole ?? "CLI"} key. Run \`baton login\` again.`);
    }

    const actor = { userId: who.user.id, label: who.user.email, ip: input.ip, role: who.role };
    const { key, apiKey } = await createApiKey(tx, who.workspace.id, actor, { name: row.clientName, role: row.keyRole });
    return { ok: true, token: { key, keyName: apiKey.name, role: apiKey.role, workspace: who.workspace, user: who.user } };
  });
}
