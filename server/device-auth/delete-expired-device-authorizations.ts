import { lt, sql } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { deviceAuthorizations } from "../db/schema";

/**
 * Expired login requests answer `expired_token` just as unknown ones do, so nothing is lost by
 * deleting them. Run by the housekeeping loop every 10 minutes.
 */
export async function deleteExpiredDeviceAuthorizations(db: Queryable): Promise<number> {
  const result = await db.delete(deviceAuthorizations).where(lt(deviceAuthorizations.expiresAt, sql`now()`));
  return result.rowCount ?? 0;
}
