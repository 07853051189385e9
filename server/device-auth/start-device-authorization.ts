import type { DeviceAuthorization } from "../../agent/protocol/device-auth";
import { formatUserCode } from "../../agent/protocol/device-auth";
import type { Db } from "../db/client";
import { deviceAuthorizations } from "../db/schema";
import { hasPgCode } from "../db/pg-errors";
import { publicUrl } from "../env";
import { AppError } from "../errors";
import { hitRateLimit, minutesText } from "../security/rate-limit";
import { DEVICE_CODE_TTL_SECONDS, generateDeviceCode, generateUserCode, hashDeviceCode, hashUserCode, POLL_INTERVAL_SECONDS } from "./codes";

/** Per client address: enough for a team behind one NAT, too few to flood the table. */
export const START_LIMIT = { limit: 30, windowSeconds: 3600 };

/** `baton login` step 1: a device code for the CLI to poll with and a user code for the person to approve. */
export async function startDeviceAuthorization(db: Db, input: { clientName: string; ip: string | null; userAgent: string | null }): Promise<DeviceAuthorization> {
  const limit = await hitRateLimit(db, `device-auth:ip:${input.ip ?? "unknown"}`, START_LIMIT);
  if (!limit.allowed) {
    throw new AppError("TOO_MANY_REQUESTS", `Too many sign-in requests from this network. Try again in ${minutesText(limit.retryAfterSeconds)}.`, {
      retryAfterSeconds: limit.retryAfterSeconds,
    });
  }
  const deviceCode = generateDeviceCode();
  // A user code can collide with a live (or not yet cleaned-up) one: draw again.
  for (let attempt = 0; ; attempt++) {
    const userCode = generateUserCode();
    try {
      await db.insert(deviceAuthorizations).values({
        deviceCodeHash: hashDeviceCode(deviceCode),
        userCodeHash: hashUserCode(userCode),
        clientName: input.clientName,
        requestedIp: input.ip,
        requestedUserAgent: input.userAgent?.slice(0, 300) || null,
        intervalSeconds: POLL_INTERVAL_SECONDS,
        expiresAt: new Date(Date.now() + DEVICE_CODE_TTL_SECONDS * 1000),
      });
    } catch (err) {
      if (attempt < 5 && hasPgCode(err, "23505")) continue;
      throw err;
    }
    const verificationUri = `${publicUrl()}/cli/authorize`;
    return {
      deviceCode,
      userCode: formatUserCode(userCode),
      verificationUri,
      // Never the code: a link that carries it is one click from approval, which is what phishing
      // needs. The person types the code their own terminal shows.
      verificationUriComplete: verificationUri,
      expiresIn: DEVICE_CODE_TTL_SECONDS,
      interval: POLL_INTERVAL_SECONDS,
    };
  }
}
