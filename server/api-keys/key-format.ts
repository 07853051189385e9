import { createHash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BODY_LENGTH = 43; // 32 random bytes in base62
const CHECKSUM_LENGTH = 6;
const KEY_PATTERN = new RegExp(`^bt_[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`);

function base62(value: bigint, width: number): string {
  let out = "";
  for (let v = value; v > 0n; v /= 62n) out = ALPHABET[Number(v % 62n)] + out;
  return out.padStart(width, "0");
}

function checksum(body: string): string {
  return base62(BigInt(crc32(body)), CHECKSUM_LENGTH);
}

/**
 * `bt_` + 32 random bytes (base62) + a CRC32 checksum. The checksum lets us reject typos and
 * secret scanners recognise real keys without a database lookup.
 */
export function generateApiKey(): string {
  const body = base62(BigInt(`0x${randomBytes(32).toString("hex")}`), BODY_LENGTH);
  return `bt_${body}${checksum(body)}`;
}

export function isWellFormedApiKey(key: string): boolean {
  if (!KEY_PATTERN.test(key)) return false;
  const body = key.slice(3, 3 + BODY_LENGTH);
  return checksum(body) === key.slice(3 + BODY_LENGTH);
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** What lists show: enough to recognise a key, useless to use it. */
export function displayPrefix(key: string): string {
  return key.slice(0, 10);
}
