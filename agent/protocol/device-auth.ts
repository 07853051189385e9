import { z } from "zod";
import { API_KEY_ROLES } from "./me";

/**
 * `baton login`: the device authorization flow (RFC 8628 in spirit). The CLI asks for a code,
 * a person approves it in the browser, and the CLI's next poll receives an API key.
 */

/** Consonants only: no vowels (so no words), no digits (so no 0/O or 1/I mix-ups). */
export const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
export const USER_CODE_LENGTH = 8;

/** "abcd efgh", "ABCD-EFGH", "abcdefgh" → "ABCDEFGH"; null when it cannot be a user code. */
export function normalizeUserCode(input: string): string | null {
  const compact = input.toUpperCase().replace(/[\s-]/g, "");
  if (compact.length !== USER_CODE_LENGTH) return null;
  for (const ch of compact) if (!USER_CODE_ALPHABET.includes(ch)) return null;
  return compact;
}

/** "ABCDEFGH" → "ABCD-EFGH", as people see and type it. */
export function formatUserCode(compact: string): string {
  return `${compact.slice(0, 4)}-${compact.slice(4)}`;
}

export const deviceAuthorizationRequestSchema = z
  .object({
    clientName: z.string().trim().min(1).max(100).meta({ description: "Names the API key the approval creates, e.g. \"CLI on my-laptop\"" }),
  })
  .meta({ id: "DeviceAuthorizationRequest" });

export const deviceAuthorizationSchema = z
  .object({
    deviceCode: z.string().meta({ description: "Secret the CLI polls with; never show it" }),
    userCode: z.string().meta({ description: "What the person types in the browser, e.g. BCDF-GHJK" }),
    verificationUri: z.string().meta({ description: "Page where the person types the code and approves" }),
    verificationUriComplete: z
      .string()
      .meta({ description: "The same page, deliberately without the code: a link that carries it is a one-click phishing lure; the person types the code" }),
    expiresIn: z.number().int().meta({ description: "Seconds until both codes expire" }),
    interval: z.number().int().meta({ description: "Seconds to wait between polls of the token endpoint" }),
  })
  .meta({ id: "DeviceAuthorization" });

export const deviceTokenRequestSchema = z.object({ deviceCode: z.string().min(1).max(200) }).meta({ id: "DeviceTokenRequest" });

export const deviceTokenSchema = z
  .object({
    key: z.string().meta({ description: "The new API key (bt_…), returned once" }),
    keyName: z.string(),
    role: z.enum(API_KEY_ROLES).meta({ description: "The key's role, picked by the approving person (at most their own)" }),
    workspace: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }),
    user: z.object({ id: z.uuid(), email: z.string(), name: z.string().nullable() }),
  })
  .meta({ id: "DeviceToken", description: "The API key created when the person's approval is first collected" });

/**
 * The 400 codes of `POST /auth/device/token`. Keep polling on `authorization_pending`; on
 * `slow_down` wait `details.interval` seconds from now on; stop on the other two.
 */
export const DEVICE_TOKEN_ERRORS = ["authorization_pending", "slow_down", "expired_token", "access_denied"] as const;
export type DeviceTokenError = (typeof DEVICE_TOKEN_ERRORS)[number];

export type DeviceAuthorizationRequest = z.infer<typeof deviceAuthorizationRequestSchema>;
export type DeviceAuthorization = z.infer<typeof deviceAuthorizationSchema>;
export type DeviceTokenRequest = z.infer<typeof deviceTokenRequestSchema>;
export type DeviceToken = z.infer<typeof deviceTokenSchema>;
