import type { RetryDelay } from "../../agent/protocol/deployments";

/** Seconds before retry number `retry` (1-based). Exponential: base × 2^(retry−1), capped, ± jitter. */
export function retryDelaySeconds(delay: RetryDelay | null | undefined, retry: number, random = Math.random): number {
  if (!delay) return 0;
  switch (delay.kind) {
    case "fixed":
      return delay.seconds;
    case "list":
      return delay.seconds[Math.min(retry, delay.seconds.length) - 1];
    case "exponential": {
      const raw = Math.min(delay.baseSeconds * 2 ** (retry - 1), delay.maxSeconds ?? Number.POSITIVE_INFINITY);
      const jitter = delay.jitter ?? 0;
      return Math.max(0, raw * (1 + jitter * (2 * random() - 1)));
    }
  }
}
