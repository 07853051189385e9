import { asc, eq } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { flows } from "../db/schema";

export function serializeFlow(f: typeof flows.$inferSelect) {
  return { id: f.id, name: f.name, createdAt: f.createdAt.toISOString() };
}

export async function listFlows(db: Queryable, workspaceId: string) {
  const rows = await db.select().from(flows).where(eq(flows.workspaceId, workspaceId)).orderBy(asc(flows.name));
  return rows.map(serializeFlow);
}
