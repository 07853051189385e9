import { AsyncLocalStorage } from "node:async_hooks";
import type { ApiClient } from "../client/api-client";
import type { LogSink } from "./log-sink";
import type { TaskReporter } from "./task-reporter";

/** One flow run being executed in this process: where its tasks, logs and artifacts go. */
export type FlowScope = {
  mode: "agent" | "adhoc" | "local";
  flowName: string;
  runId: string | null;
  /** A client holding the run token (agent and ad-hoc runs). */
  client: ApiClient | null;
  tasks: TaskReporter | null;
  logs: LogSink;
  /** Per task key: how many calls so far, which makes each call's dynamic key. */
  calls: Map<string, number>;
  /** Results of task calls (objects and promises) → their task run ids, to record dependencies. */
  producers: WeakMap<object, string>;
  /** True once a person cancelled the run (ad-hoc runs): no further task starts. */
  cancelled?: () => boolean;
};

export type TaskScope = { taskRunId: string | null; name: string };

type Runtime = {
  flows: AsyncLocalStorage<FlowScope>;
  tasks: AsyncLocalStorage<TaskScope>;
  /** Set by the agent's runner before it calls the flow: the run to report to. */
  agentRun: { apiUrl: string; runId: string; token: string } | null;
};

// Shared through globalThis: a user's `import "baton"` and the runner may load two copies of this module.
const KEY = Symbol.for("baton.sdk.runtime");
const g = globalThis as unknown as Record<symbol, Runtime | undefined>;
export const runtime: Runtime = (g[KEY] ??= { flows: new AsyncLocalStorage(), tasks: new AsyncLocalStorage(), agentRun: null });

export const currentFlow = () => runtime.flows.getStore();
export const currentTask = () => runtime.tasks.getStore();
