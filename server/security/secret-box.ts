import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { env } from "@/server/env";

const VERSION = "v1";

/**
 * Encrypts secrets at rest (Slack and webhook URLs, webhook signing secrets) with AES-256-GCM.
 * The key is BATON_ENCRYPTION_KEY, or one derived from AUTH_SECRET with HKDF when that is unset,
 * so a laptop needs no extra setting; production should set its own key (docs/self-hosting.md).
 * Format: `v1.<iv>.<tag>.<ciphertext>`, each part base64url.
 */
export function encryptSecret(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), body].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
}

export function decryptSecret(sealed: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || body === undefined) throw new Error("Not a sealed secret.");
  const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

function key(): Buffer {
  const e = env();
  if (e.BATON_ENCRYPTION_KEY) return Buffer.from(e.BATON_ENCRYPTION_KEY, "base64");
  if (!e.AUTH_SECRET) throw new Error("Neither BATON_ENCRYPTION_KEY nor AUTH_SECRET is set (the server sets AUTH_SECRET at start).");
  return Buffer.from(hkdfSync("sha256", e.AUTH_SECRET, "baton", "secrets-at-rest-v1", 32));
}
