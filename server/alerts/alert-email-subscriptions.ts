import "server-only";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db, Queryable } from "../db/client";
import { alertEmailSubscriptions, memberships, users, workspaces } from "../db/schema";
import { sendEmail } from "../email/send-email";
import { publicUrl } from "../env";
import { AppError } from "../errors";
import { hitRateLimit } from "../security/rate-limit";
import { randomToken, sha256Hex } from "../security/secret-tokens";
import { decryptSecret, encryptSecret } from "../security/secret-box";

/**
 * Addresses outside a workspace that its email actions list: each is asked once, by a
 * confirmation mail, and receives alerts only after confirming; every alert to it carries an
 * unsubscribe link. Without this an email action would mail any text to any 50 addresses.
 */

export type AddressStatus = "waiting" | "confirmed" | "unsubscribed";

/** New addresses (confirmation mails) a workspace may add per day. */
export const NEW_ADDRESSES_PER_DAY = 50;

/** Lower-cased emails of the workspace's members among `addresses` (verified or not: members are not asked to subscribe). */
export async function memberAddresses(db: Queryable, workspaceId: string, addresses: string[]): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  const rows = await db
    .select({ email: sql<string>`lower(${users.email})` })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, workspaceId), inArray(sql`lower(${users.email})`, addresses)));
  return new Set(rows.map((r) => r.email));
}

/**
 * Creates the subscriptions of external addresses not yet asked and mails each its confirmation
 * link. Called before the automation is saved, so a refused batch (the daily allowance) saves nothing.
 */
export async function requestAddressConfirmations(db: Db, workspaceId: string, requestedBy: string | null, addresses: string[]): Promise<void> {
  if (addresses.length === 0) return;
  const members = await memberAddresses(db, workspaceId, addresses);
  const known = await db
    .select({ address: alertEmailSubscriptions.address })
    .from(alertEmailSubscriptions)
    .where(and(eq(alertEmailSubscriptions.workspaceId, workspaceId), inArray(alertEmailSubscriptions.address, addresses)));
  const fresh = addresses.filter((a) => !members.has(a) && !known.some((k) => k.address === a));
  if (fresh.length === 0) return;
  for (const _ of fresh) {
    const limit = await hitRateLimit(db, `alert-address:${workspaceId}`, { limit: NEW_ADDRESSES_PER_DAY, windowSeconds: 86_400 });
    if (!limit.allowed) {
      throw new AppError("TOO_MANY_REQUESTS", `This workspace added ${NEW_ADDRESSES_PER_DAY} new alert addresses today, each asked to confirm by email. Add more tomorrow, or invite the people as members.`);
    }
  }
  const [workspace] = await db.select({ name: workspaces.name }).from(workspaces).where(eq(workspaces.id, workspaceId));
  const requester = requestedBy ? (await db.select({ email: users.email }).from(users).where(eq(users.id, requestedBy)))[0]?.email : null;
  for (const address of fresh) {
    const token = randomToken();
    const [row] = await db
      .insert(alertEmailSubscriptions)
      .values({ workspaceId, address, tokenHash: sha256Hex(token), tokenSealed: encryptSecret(token), requestedBy })
      .onConflictDoNothing()
      .returning({ id: alertEmailSubscriptions.id });
    if (!row) continue; // a concurrent save asked already
    await sendEmail(db, {
      to: address,
      template: "alert-subscription-confirm",
      workspaceId,
      props: { workspaceName: workspace?.name ?? "A workspace", requestedBy: requester ?? null, url: `${publicUrl()}/alerts/confirm?token=${token}` },
    });
  }
}

/** Where each listed address stands; an address never asked (older data) counts as waiting. */
export async function addressStatuses(db: Queryable, workspaceId: string, addresses: string[]): Promise<Map<string, AddressStatus>> {
  const rows = addresses.length
    ? await db
        .select()
        .from(alertEmailSubscriptions)
        .where(and(eq(alertEmailSubscriptions.workspaceId, workspaceId), inArray(alertEmailSubscriptions.address, addresses)))
    : [];
  const byAddress = new Map(rows.map((r) => [r.address, r]));
  return new Map(
    addresses.map((a) => {
      const r = byAddress.get(a);
      return [a, r?.unsubscribedAt ? "unsubscribed" : r?.confirmedAt ? "confirmed" : "waiting"] as const;
    }),
  );
}

/** The confirmed addresses among `addresses`, each with its unsubscribe link. */
export async function confirmedAddresses(db: Queryable, workspaceId: string, addresses: string[]): Promise<{ address: string; unsubscribeUrl: string }[]> {
  if (addresses.length === 0) return [];
  const rows = await db
    .select({ address: alertEmailSubscriptions.address, tokenSealed: alertEmailSubscriptions.tokenSealed })
    .from(alertEmailSubscriptions)
    .where(
      and(
        eq(alertEmailSubscriptions.workspaceId, workspaceId),
        inArray(alertEmailSubscriptions.address, addresses),
        sql`${alertEmailSubscriptions.confirmedAt} is not null`,
        isNull(alertEmailSubscriptions.unsubscribedAt),
      ),
    );
  return rows.map((r) => ({ address: r.address, unsubscribeUrl: `${publicUrl()}/alerts/unsubscribe?token=${decryptSecret(r.tokenSealed)}` }));
}

type Outcome = { address: string; workspaceName: string } | null;

/** The confirmation link's action; null for an unknown token or an address that unsubscribed. */
export async function confirmAlertAddress(db: Queryable, token: string): Promise<Outcome> {
  const [row] = await db
    .update(alertEmailSubscriptions)
    .set({ confirmedAt: sql`coalesce(${alertEmailSubscriptions.confirmedAt}, now())` })
    .where(and(eq(alertEmailSubscriptions.tokenHash, sha256Hex(token)), isNull(alertEmailSubscriptions.unsubscribedAt)))
    .returning({ address: alertEmailSubscriptions.address, workspaceId: alertEmailSubscriptions.workspaceId });
  return row ? withWorkspaceName(db, row) : null;
}

/** The unsubscribe link's action: for good (saving the automation again does not ask again). */
export async function unsubscribeAlertAddress(db: Queryable, token: string): Promise<Outcome> {
  const [row] = await db
    .update(alertEmailSubscriptions)
    .set({ unsubscribedAt: sql`coalesce(${alertEmailSubscriptions.unsubscribedAt}, now())` })
    .where(eq(alertEmailSubscriptions.tokenHash, sha256Hex(token)))
    .returning({ address: alertEmailSubscriptions.address, workspaceId: alertEmailSubscriptions.workspaceId });
  return row ? withWorkspaceName(db, row) : null;
}

async function withWorkspaceName(db: Queryable, row: { address: string; workspaceId: string }) {
  const [w] = await db.select({ name: workspaces.name }).from(workspaces).where(eq(workspaces.id, row.workspaceId));
  return { address: row.address, workspaceName: w?.name ?? "the workspace" };
}
