import { ApiError } from "../client/api-client";
import { childRunResultSchema } from "../protocol/child-runs";
import { flowRunSchema, type FlowRun } from "../protocol/runs";
import { TERMINAL_STATES } from "../protocol/states";
import { FlowCancelledError } from "./adhoc-lease";
import { currentFlow } from "./runtime";

export type RunDeploymentOptions = {
  parameters?: Record<string, unknown>;
  /** Wait for the child's final state (default true); false returns the child as created (Scheduled). */
  wait?: boolean;
  /** Give up waiting after this many seconds (the child keeps running); default: wait until it ends. */
  timeoutSeconds?: number;
};

/** The child run ended Failed, Crashed or Cancelled (`run` is the child as it ended), or the parameters did not fit its schema (`fieldErrors`). */
export class ChildRunError extends Error {
  constructor(
    message: string,
    readonly run: FlowRun | null,
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
    this.name = "ChildRunError";
  }
}

/** Waiting for the child took longer than `timeoutSeconds`; the child was not cancelled. */
export class ChildRunTimeoutError extends Error {
  constructor(
    message: string,
    readonly run: FlowRun,
  ) {
    super(message);
    this.name = "ChildRunTimeoutError";
  }
}

const POLL_FIRST_MS = 500;
const POLL_MAX_MS = 5_000;

/**
 * Starts a run of another deployment of the workspace ("flow/deployment" or its id) as a child of
 * the current run, and by default waits for it: a Completed child is returned; a Failed, Crashed
 * or Cancelled one throws ChildRunError with its state message. The child runs on whatever agent
 * serves its pool, with its own retries. Cancelling the parent cancels its children.
 */
export async function runDeployment(deployment: string, options: RunDeploymentOptions = {}): Promise<FlowRun> {
  const s = currentFlow();
  if (!s?.client || !s.runId) {
    throw new Error(`runDeployment("${deployment}") starts a child of the current run: call it inside a flow that runs in Baton (by an agent, or ad hoc with a Baton profile).`);
  }
  const { client, runId } = s;
  // The call's number in this run: the same on an HTTP retry, so the server returns the same child.
  const seq = s.calls.get("\0runDeployment") ?? 0;
  s.calls.set("\0runDeployment", seq + 1);
  let raw: unknown;
  try {
    raw = await client.request("POST", `/flow-runs/${runId}/children`, { body: { deployment, parameters: options.parameters ?? {}, idempotencyKey: String(seq) }, tries: 8 });
  } catch (err) {
    if (err instanceof ApiError) {
      const fieldErrors = (err.details as { fieldErrors?: Record<string, string[]> } | undefined)?.fieldErrors;
      throw new ChildRunError(`Could not start a child run of ${deployment}: ${err.message}`, null, fieldErrors);
    }
    throw err;
  }
  let child = childRunResultSchema.parse(raw).run;
  if (options.wait === false) return child;
  const label = `Child run ${child.name} of ${deployment}`;
  const deadline = options.timeoutSeconds !== undefined ? Date.now() + options.timeoutSeconds * 1000 : Infinity;
  for (let i = 0; !TERMINAL_STATES.includes(child.state.type); i++) {
    if (s.cancelled?.()) throw new FlowCancelledError(s.flowName);
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new ChildRunTimeoutError(`${label} did not finish within ${options.timeoutSeconds} s (it is ${child.state.name}); it keeps running. Cancel it on its page if it should stop.`, child);
    }
    await new Promise((r) => setTimeout(r, Math.min(left, POLL_FIRST_MS * 1.5 ** Math.min(i, 10), POLL_MAX_MS)));
    child = flowRunSchema.parse(await client.request("GET", `/flow-runs/${runId}/children/${child.id}`, { tries: 8 }));
  }
  if (child.state.type === "COMPLETED") return child;
  const how = child.state.type === "CANCELLED" ? "was cancelled" : child.state.type === "CRASHED" ? "crashed" : "failed";
  throw new ChildRunError(`${label} ${how}: ${child.state.message ?? child.state.name}`, child);
}
