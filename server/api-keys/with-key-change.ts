import { sql } from "drizzle-orm";
import type { Db, Tx } from "../db/client";
import { AUTH_CHANNEL, forgetWorkspaceKeys } from "./key-cache";

/**
 * Runs a change to keys or members in a transaction, then makes every instance drop its cached
 * keys of the workspace: others through NOTIFY (delivered at commit), this process directly after
 * the commit, so the very next request is checked against the database.
 */
export async function withKeyChange<T>(db: Db, workspaceId: string, change: (tx: Tx) => Promise<T>): Promise<T> {
  const result = await db.transaction(async (tx) => {
    const out = await change(tx);
    await tx.execute(sql`select pg_notify(${AUTH_CHANNEL}, ${workspaceId})`);
    return out;
  });
  forgetWorkspaceKeys(workspaceId);
  return result;
}
