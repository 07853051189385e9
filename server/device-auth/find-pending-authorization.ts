import { eq } from "drizzle-orm";
import { formatUserCode, normalizeUserCode } from "../../agent/protocol/device-auth";
import type { Queryable } from "../db/client";
import { deviceAuthorizations, type DeviceAuthorization } from "../db/schema";
import { AppError } from "../errors";
import { hitRateLimit, isRateLimited, minutesText } from "../security/rate-limit";
import { hashUserCode } from "./codes";

/** Wrong codes a person may enter per window: 20 in 15 minutes makes guessing one of 20^8 codes hopeless. */
export const GUESS_LIMIT = { limit: 20, windowSeconds: 900 };

/**
 * The pending login request with this user code. Every code that matches nothing usable counts
 * against the user's limit; once it is reached even a right code is refused, so the answers
 * cannot be used as an oracle.
 */
export async function findPendingAuthorization(db: Queryable, userId: string, userCode: string): Promise<DeviceAuthorization> {
  const limitKey = `device-auth:guess:user:${userId}`;
  const limited = await isRateLimited(db, limitKey, GUESS_LIMIT);
  if (limited.limited) {
    throw new AppError("TOO_MANY_REQUESTS", `Too many wrong codes. Try again in ${minutesText(limited.retryAfterSeconds)}, or run \`baton login\` again for a new code.`);
  }
  const compact = normalizeUserCode(userCode);
  // A malformed code matches nothing and reveals nothing, so it does not count as a guess.
  if (!compact) throw new AppError("BAD_REQUEST", "A code is 8 letters, like BCDF-GHJK. Copy it from your terminal.");
  const shown = formatUserCode(compact);

  const miss = async (message: string) => {
    await hitRateLimit(db, limitKey, GUESS_LIMIT);
    return new AppError("NOT_FOUND", message);
  };
  const [row] = await db.select().from(deviceAuthorizations).where(eq(deviceAuthorizations.userCodeHash, hashUserCode(compact)));
  if (!row) throw await miss(`No login request has the code ${shown}. Check the code shown in your terminal.`);
  if (row.status !== "pending") throw await miss(`The code ${shown} was already used. Run \`baton login\` again for a new code.`);
  if (row.expiresAt <= new Date()) throw await miss(`The code ${shown} expired (codes last 10 minutes). Run \`baton login\` again for a new code.`);
  return row;
}
