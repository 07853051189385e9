import { and, eq } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { workPools } from "../db/schema";
import { AppError } from "../errors";

export async function findWorkPool(db: Queryable, workspaceId: string, name: string) {
  const [pool] = await db.select().from(workPools).where(and(eq(workPools.workspaceId, workspaceId), eq(workPools.name, name)));
  if (!pool) throw new AppError("NOT_FOUND", `Work pool "${name}" not found. Create it first (POST /api/v1/work-pools), or use "default".`);
  return pool;
}
