import { sql } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { flows } from "../db/schema";

/** The flow with this name in the workspace, created on first use. */
export async function upsertFlow(db: Queryable, workspaceId: string, name: string) {
  const [row] = await db
    .insert(flows)
    .values({ workspaceId, name })
    .onConflictDoUpdate({ target: [flows.workspaceId, flows.name], set: { name: sql`excluded.name` } })
    .returning();
  return row;
}
