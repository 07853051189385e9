const BASE_MS = 30_000;
/** Resend keeps idempotency keys for 24 hours; with this cap all 8 attempts fit well inside that. */
const MAX_MS = 6 * 60 * 60 * 1000;

/** 30 s, 2 min, 8 min, 32 min, … after the 1st, 2nd, 3rd, 4th failed attempt; capped at 6 h. */
export function backoffMs(attempts: number): number {
  return Math.min(BASE_MS * 4 ** Math.max(0, attempts - 1), MAX_MS);
}

/** A Retry-After header in seconds or as an HTTP date, as milliseconds from now; null if absent or unreadable. */
export function retryAfterMs(value: string | undefined | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  const ms = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (!Number.isFinite(ms)) return null;
  return Math.min(Math.max(ms, 1000), MAX_MS);
}
