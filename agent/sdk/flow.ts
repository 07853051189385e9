import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { ApiClient } from "../client/api-client";
import { resolveConnection } from "../config/profiles";
import { ApiLogSink, ConsoleLogSink, IpcLogSink, type LogSink } from "./log-sink";
import { retryDelaySeconds, sleepSeconds, TimeoutError, withTimeout, type RetryOptions } from "./retry-policy";
import { currentFlow, runtime, type FlowScope } from "./runtime";
import { errorMessage } from "./task";
import { TaskReporter } from "./task-reporter";
import { AdhocLease, FlowCancelledError } from "./adhoc-lease";

export type FlowOptions<S extends z.ZodType> = RetryOptions & {
  description?: string;
  /** A zod schema of the parameters: validated on every call; its JSON Schema is sent on deploy. */
  parameters?: S;
  timeoutSeconds?: number;
  tags?: string[];
};

const FLOW = Symbol.for("baton.flow");

export type Flow<S extends z.ZodType, R> = ((params?: z.input<S>) => Promise<R>) & {
  readonly flowName: string;
  readonly options: FlowOptions<S>;
  /** The JSON Schema of the parameters, or undefined when the flow declares none. */
  parameterJsonSchema(): Record<string, unknown> | undefined;
  readonly [FLOW]: true;
};

export const isFlow = (v: unknown): v is Flow<z.ZodType, unknown> => typeof v === "function" && (v as unknown as Record<symbol, unknown>)[FLOW] === true;

export class ParameterError extends Error {
  constructor(flowName: string, error: z.ZodError) {
    super(`Invalid parameters for flow "${flowName}": ${error.issues.map((i) => `${i.path.join(".") || "(parameters)"}: ${i.message}`).join("; ")}`);
    this.name = "ParameterError";
  }
}

/**
 * A flow: the function a deployment runs. Inside an agent it reports to the claimed run; called
 * directly with a Baton profile (or BATON_API_URL + BATON_API_KEY) it creates an ad-hoc run in
 * the workspace; with neither it runs locally and logs to the console. Task runs and logs are
 * reported in the background, and the flow waits for them to be sent before it returns.
 */
export function flow<S extends z.ZodType = z.ZodObject<Record<string, never>>, R = unknown>(
  name: string,
  options: FlowOptions<S>,
  fn: (params: z.output<S>) => R | Promise<R>,
): Flow<S, R> {
  if (!name || typeof name !== "string") throw new TypeError("flow(name, options, fn): name must be a non-empty string");
  if (typeof fn !== "function") throw new TypeError(`flow("${name}"): the third argument must be the flow's function`);
  const parse = (raw: unknown): z.output<S> => {
    if (!options.parameters) return (raw ?? {}) as z.output<S>;
    const parsed = options.parameters.safeParse(raw ?? {});
    if (!parsed.success) throw new ParameterError(name, parsed.error);
    return parsed.data;
  };
  const f = (async (raw?: z.input<S>) => {
    const params = parse(raw);
    // A flow called from a flow is part of the same run.
    if (currentFlow()) return fn(params);
    const agentRun = runtime.agentRun;
    runtime.agentRun = null;
    if (agentRun) return runInScope(agentScope(name, agentRun), fn, params, options, false);
    const connection = resolveConnection();
    if (!connection) return runInScope(localScope(name), fn, params, options, true);
    return runAdhoc(name, connection, fn, params, options);
  }) as Flow<S, R>;
  Object.defineProperties(f, {
    flowName: { value: name },
    options: { value: options },
    parameterJsonSchema: { value: () => (options.parameters ? (z.toJSONSchema(options.parameters, { io: "input", unrepresentable: "any", target: "draft-7" }) as Record<string, unknown>) : undefined) },
    [FLOW]: { value: true },
  });
  return f;
}

function scope(mode: FlowScope["mode"], flowName: string, runId: string | null, client: ApiClient | null, logs: LogSink): FlowScope {
  return { mode, flowName, runId, client, tasks: client && runId ? new TaskReporter(client, runId) : null, logs, calls: new Map(), producers: new WeakMap() };
}

const agentScope = (flowName: string, run: { apiUrl: string; runId: string; token: string }) =>
  scope("agent", flowName, run.runId, new ApiClient(run.apiUrl, run.token, "baton-sdk"), new IpcLogSink());

const localScope = (flowName: string) => scope("local", flowName, null, null, new ConsoleLogSink());

/**
 * Runs the flow's function in its scope and flushes what it reported. Retries happen here only
 * for local runs: runs in Baton retry through their deployment, as new attempts.
 */
async function runInScope<S extends z.ZodType, R>(s: FlowScope, fn: (p: z.output<S>) => R | Promise<R>, params: z.output<S>, options: FlowOptions<S>, retryHere: boolean): Promise<R> {
  const retries = retryHere ? (options.retries ?? 0) : 0;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        return await runtime.flows.run(s, () => withTimeout(Promise.resolve().then(() => fn(params)), options.timeoutSeconds, `Flow ${s.flowName}`));
      } catch (err) {
        if (attempt >= retries || err instanceof ParameterError) throw err;
        const delay = retryDelaySeconds(options.retryDelay, attempt + 1);
        s.logs.write({ level: "warning", message: `Flow ${s.flowName} failed (${errorMessage(err)}); retry ${attempt + 1} of ${retries} in ${delay} s`, timestamp: new Date().toISOString() });
        await sleepSeconds(delay);
      }
    }
  } finally {
    await Promise.all([s.tasks?.flush(), s.logs.flush()]);
  }
}

async function runAdhoc<S extends z.ZodType, R>(
  flowName: string,
  connection: { url: string; key: string },
  fn: (p: z.output<S>) => R | Promise<R>,
  params: z.output<S>,
  options: FlowOptions<S>,
): Promise<R> {
  const keyClient = new ApiClient(connection.url, connection.key, "baton-sdk");
  const created = await keyClient.request<{ run: { id: string; attempt: number }; runToken: string }>("POST", "/flow-runs", {
    body: { flowName, parameters: params, tags: options.tags ?? [], name: `${flowName} on ${hostname()}` },
  });
  const client = new ApiClient(connection.url, created.runToken, "baton-sdk");
  const s = scope("adhoc", flowName, created.run.id, client, new ApiLogSink(client, created.run.id, created.run.attempt));
  const report = (state: { type: string; name?: string; message?: string }) =>
    client.request("POST", `/flow-runs/${created.run.id}/state`, { body: { state, transitionId: randomUUID() }, tries: 8 });
  const lease = new AdhocLease(client, created.run.id, flowName, s.logs);
  s.cancelled = () => lease.isCancelled;
  const running = runInScope(s, fn, params, options, true).finally(() => lease.stop());
  try {
    const result = await Promise.race([running, lease.cancelled]);
    await report({ type: "COMPLETED" });
    return result;
  } catch (err) {
    if (err instanceof FlowCancelledError) {
      await s.logs.flush();
      await report({ type: "CANCELLED", message: "Cancelled: the flow was stopped" }).catch(() => undefined);
    } else {
      await report({ type: "FAILED", name: err instanceof TimeoutError ? "TimedOut" : "Failed", message: errorMessage(err).slice(0, 4000) }).catch(() => undefined);
    }
    throw err;
  }
}
