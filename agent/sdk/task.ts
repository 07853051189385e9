import { defaultCacheKey, lookupCache, storeCache } from "./cache";
import { retryDelaySeconds, sleepSeconds, TimeoutError, withTimeout, type RetryOptions } from "./retry-policy";
import { currentFlow, runtime, type FlowScope } from "./runtime";
import { FlowCancelledError } from "./adhoc-lease";
import { uuidv7 } from "./uuidv7";

export type TaskOptions<A extends unknown[]> = RetryOptions & {
  timeoutSeconds?: number;
  /** Cache results by a hash of the task's name and inputs. */
  cache?: boolean;
  /** Cache results under this key (implies `cache`). */
  cacheKey?: (...args: A) => string;
  cacheExpirationSeconds?: number;
};

export type CallOptions = { waitFor?: unknown[] };

/** A task's arguments may also be promises of them (another task's un-awaited result). */
export type Awaitable<A extends unknown[]> = { [K in keyof A]: A[K] | PromiseLike<A[K]> };

export type Task<A extends unknown[], R> = ((...args: Awaitable<A>) => Promise<R>) & {
  readonly taskName: string;
  /** Call with options: `waitFor` names task results (or their promises) this call must wait for. */
  with(options: CallOptions): (...args: Awaitable<A>) => Promise<R>;
};

/**
 * A task: a function whose calls inside a flow become task runs, with retries, a timeout and
 * caching. Calls run concurrently when not awaited one by one. A call's input that is another
 * task's result (the promise, or the object it resolved to) records the dependency; so does
 * `waitFor`. Called outside a flow, a task is a plain function call.
 */
export function task<A extends unknown[], R>(name: string, options: TaskOptions<A>, fn: (...args: A) => R | Promise<R>): Task<A, R> {
  if (!name || typeof name !== "string") throw new TypeError("task(name, options, fn): name must be a non-empty string");
  if (typeof fn !== "function") throw new TypeError(`task("${name}"): the third argument must be the task's function`);
  const call = (callOptions: CallOptions, args: Awaitable<A>): Promise<R> => {
    const flow = currentFlow();
    if (!flow) return Promise.all(args).then((resolved) => fn(...(resolved as A)));
    const id = uuidv7();
    const promise = runTask(flow, id, name, options, fn, args, callOptions);
    flow.producers.set(promise, id);
    return promise;
  };
  const t = ((...args: Awaitable<A>) => call({}, args)) as Task<A, R>;
  Object.defineProperty(t, "taskName", { value: name });
  t.with =
    (callOptions) =>
    (...args: Awaitable<A>) =>
      call(callOptions, args);
  return t;
}

const isObject = (v: unknown): v is object => (typeof v === "object" && v !== null) || typeof v === "function";

async function runTask<A extends unknown[], R>(
  flow: FlowScope,
  id: string,
  name: string,
  options: TaskOptions<A>,
  fn: (...args: A) => R | Promise<R>,
  rawArgs: Awaitable<A>,
  callOptions: CallOptions,
): Promise<R> {
  if (flow.cancelled?.()) throw new FlowCancelledError(flow.flowName);
  const n = flow.calls.get(name) ?? 0;
  flow.calls.set(name, n + 1);
  const upstream = new Set<string>();
  const note = (v: unknown) => {
    const producer = isObject(v) ? flow.producers.get(v) : undefined;
    if (producer) upstream.add(producer);
  };
  // A promise of a task's result as input: wait for it and record the edge.
  const args = (await Promise.all(rawArgs.map(async (a) => (note(a), isObject(a) && "then" in a ? await a : a)))) as A;
  for (const a of args) {
    note(a);
    if (Array.isArray(a)) a.forEach(note);
  }
  for (const w of callOptions.waitFor ?? []) {
    note(w);
    await w;
  }

  const cacheKey = options.cacheKey ? options.cacheKey(...args) : options.cache ? defaultCacheKey(name, args) : null;
  const base = { id, taskKey: name, dynamicKey: String(n), name, upstreamTaskRunIds: [...upstream], cacheKey };
  if (cacheKey) {
    const hit = await lookupCache(flow, cacheKey);
    if (hit) {
      flow.tasks?.create({ ...base, state: { type: "COMPLETED", name: "Cached", message: `Result read from the cache (${cacheKey})` } });
      return remember(flow, hit.value as R, id);
    }
  }

  flow.tasks?.create({ ...base, state: { type: "RUNNING" } });
  const retries = options.retries ?? 0;
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await runtime.tasks.run({ taskRunId: flow.tasks ? id : null, name }, () =>
        withTimeout(Promise.resolve().then(() => fn(...args)), options.timeoutSeconds, `Task ${name}`),
      );
      if (cacheKey) await storeCache(flow, cacheKey, result, options.cacheExpirationSeconds);
      flow.tasks?.state(id, { type: "COMPLETED" });
      return remember(flow, result, id);
    } catch (err) {
      const message = errorMessage(err);
      if (attempt < retries) {
        const delay = retryDelaySeconds(options.retryDelay, attempt + 1);
        flow.tasks?.state(id, { type: "SCHEDULED", name: "AwaitingRetry", message: `Retry ${attempt + 1} of ${retries} in ${delay} s after: ${message}`.slice(0, 4000) });
        flow.logs.write({ level: "warning", message: `Task ${name} failed (${message}); retry ${attempt + 1} of ${retries} in ${delay} s`, taskRunId: flow.tasks ? id : null, timestamp: new Date().toISOString() });
        await sleepSeconds(delay);
        flow.tasks?.state(id, { type: "RUNNING", name: "Retrying" });
        continue;
      }
      const timedOut = err instanceof TimeoutError;
      flow.tasks?.state(id, { type: "FAILED", name: timedOut ? "TimedOut" : "Failed", message: message.slice(0, 4000) });
      throw err;
    }
  }
}

function remember<R>(flow: FlowScope, result: R, id: string): R {
  if (isObject(result)) flow.producers.set(result, id);
  return result;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return `${err.name === "Error" ? "" : `${err.name}: `}${err.message}`;
  return String(err);
}
