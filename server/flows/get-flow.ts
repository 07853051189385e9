import { and, eq } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { flows } from "../db/schema";
import { AppError } from "../errors";
import { serializeFlow } from "./list-flows";
import { isUuid } from "../../agent/protocol/storable";

export async function getFlow(db: Queryable, workspaceId: string, id: string) {
  if (!isUuid(id)) throw new AppError("NOT_FOUND", "Flow not found.");
  const [row] = await db.select().from(flows).where(and(eq(flows.workspaceId, workspaceId), eq(flows.id, id)));
  if (!row) throw new AppError("NOT_FOUND", "Flow not found.");
  return serializeFlow(row);
}
