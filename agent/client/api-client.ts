import { backoffMs, sleep } from "./backoff";

/** An answer of the API that is not a success: the JSON error's code and message, and the status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The API could not be reached at all (refused, reset, DNS, timeout); `code` is the system's (ECONNREFUSED, …) when there is one. */
export class UnreachableError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export type RequestOptions = {
  body?: unknown;
  query?: Record<string, string | number | boolean | string[] | undefined>;
  /** Keep retrying retryable failures until this signal aborts (agents); default: a few tries. */
  retryUntil?: AbortSignal;
  tries?: number;
  signal?: AbortSignal;
  timeoutMs?: number;
};

/** Failures worth another try: the API unreachable, 5xx, 408 and 429. 4xx otherwise never. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof UnreachableError) return true;
  if (err instanceof ApiError) return err.status >= 500 || err.status === 408 || err.status === 429;
  return false;
}

/**
 * A small client for /api/v1: bearer auth (an API key or a run token), JSON in and out, and
 * retries with backoff and jitter that never come sooner than the server's Retry-After.
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | null,
    private readonly userAgent = "baton",
  ) {}

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const tries = opts.retryUntil ? Infinity : (opts.tries ?? 3);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, path, opts);
      } catch (err) {
        const stop = opts.retryUntil?.aborted || opts.signal?.aborted;
        if (!isRetryable(err) || attempt + 1 >= tries || stop) throw err;
        const wait = Math.max(backoffMs(attempt), err instanceof ApiError ? (err.retryAfterMs ?? 0) : 0);
        await sleep(wait, opts.retryUntil ?? opts.signal);
        if (opts.retryUntil?.aborted || opts.signal?.aborted) throw err;
      }
    }
  }

  private async once<T>(method: string, path: string, opts: RequestOptions): Promise<T> {
    const url = new URL(this.baseUrl + "/api/v1" + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
    }
    const headers: Record<string, string> = { accept: "application/json", "user-agent": this.userAgent };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    const signals = [opts.signal, AbortSignal.timeout(opts.timeoutMs ?? 60_000)].filter((s): s is AbortSignal => Boolean(s));
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: AbortSignal.any(signals) });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new UnreachableError(`Could not reach Baton at ${this.baseUrl}${cause ? ` (${cause})` : ""}. Is the server running and the URL right?`, cause);
    }
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: handled below */
    }
    if (res.ok) return json as T;
    const retryAfter = Number(res.headers.get("retry-after"));
    const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    throw new ApiError(
      res.status,
      error?.code ?? `http_${res.status}`,
      error?.message ?? `Baton answered ${res.status} ${res.statusText} for ${method} ${path}`,
      error?.details,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    );
  }
}
