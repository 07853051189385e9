import { randomInt } from "node:crypto";
import { USER_CODE_ALPHABET, USER_CODE_LENGTH } from "../../agent/protocol/device-auth";
import { randomToken, sha256Hex } from "../security/secret-tokens";

/** How long a person has to approve, and how often the CLI may poll (RFC 8628's defaults are 15 min / 5 s). */
export const DEVICE_CODE_TTL_SECONDS = 600;
export const POLL_INTERVAL_SECONDS = 2;
/** RFC 8628 §3.5: each slow_down adds 5 seconds to the interval. */
export const SLOW_DOWN_STEP_SECONDS = 5;

/** 256 random bits: the secret only the CLI holds. */
export function generateDeviceCode(): string {
  return randomToken();
}

/** 8 letters from a 20-letter alphabet (~34 bits), compact form; guesses are rate-limited per user. */
export function generateUserCode(): string {
  let code = "";
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/**
 * Both codes are stored only as SHA-256 hashes (user codes in compact form, "BCDFGHJK"). A user
 * code's hash could be brute-forced offline, but it lives 10 minutes and is useless without a
 * signed-in member approving it.
 */
export const hashDeviceCode = (deviceCode: string) => sha256Hex(deviceCode);
export const hashUserCode = (compactUserCode: string) => sha256Hex(compactUserCode);
