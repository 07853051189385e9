import { sql } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { EVENTS_CHANNEL } from "./event-hub";

/** NOTIFY payloads must stay under 8000 bytes: 100 UUIDs are about 4 KB. */
const IDS_PER_EVENT = 100;

/**
 * Tells the browsers of the workspace that `ids` of `kind` changed (see server/live/event-hub.ts),
 * for services that change rows through drizzle rather than in one SQL statement (those call
 * pg_notify in a CTE). Call it inside the transaction that makes the change: NOTIFY is delivered
 * on commit, and never for a rollback.
 */
export async function notifyLive(db: Queryable, workspaceId: string, kind: string, ids: string[]): Promise<void> {
  for (let i = 0; i < Math.max(ids.length, 1); i += IDS_PER_EVENT) {
    const payload = JSON.stringify({ w: workspaceId, kind, ids: ids.slice(i, i + IDS_PER_EVENT) });
    await db.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${payload})`);
  }
}
