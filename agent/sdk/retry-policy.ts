export type RetryDelay = number | number[] | { backoff: "exponential"; baseSeconds: number; maxSeconds?: number; jitter?: number };

export type RetryOptions = {
  retries?: number;
  /** Seconds before each retry: one number, a list (one per retry, the last repeats), or exponential backoff with jitter. */
  retryDelay?: RetryDelay;
};

/** Seconds to wait before retry number `retry` (1-based). */
export function retryDelaySeconds(delay: RetryDelay | undefined, retry: number): number {
  if (delay === undefined) return 0;
  if (typeof delay === "number") return delay;
  if (Array.isArray(delay)) return delay.length === 0 ? 0 : delay[Math.min(retry, delay.length) - 1];
  const raw = Math.min(delay.maxSeconds ?? Infinity, delay.baseSeconds * 2 ** (retry - 1));
  const jitter = delay.jitter ?? 0.2;
  return Math.max(0, raw * (1 + (Math.random() * 2 - 1) * jitter));
}

/** The deployment API's form of a retry delay. */
export function toWireRetryDelay(delay: RetryDelay | undefined) {
  if (delay === undefined) return undefined;
  if (typeof delay === "number") return { kind: "fixed" as const, seconds: delay };
  if (Array.isArray(delay)) return { kind: "list" as const, seconds: delay };
  return { kind: "exponential" as const, baseSeconds: delay.baseSeconds, maxSeconds: delay.maxSeconds, jitter: delay.jitter ?? 0.2 };
}

export class TimeoutError extends Error {
  constructor(what: string, seconds: number) {
    super(`${what} timed out after ${seconds} s`);
    this.name = "TimeoutError";
  }
}

/** Races `work` against a timer; the work itself cannot be stopped from here, its result is ignored. */
export async function withTimeout<T>(work: Promise<T>, seconds: number | undefined, what: string): Promise<T> {
  if (!seconds) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimeoutError(what, seconds)), seconds * 1000)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleepSeconds = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
