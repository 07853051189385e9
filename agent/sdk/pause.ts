import { randomUUID } from "node:crypto";
import { z } from "zod";
import { pauseSchema, type Pause } from "../protocol/pauses";
import { currentFlow } from "./runtime";

/** Nobody answered a pause within its timeout: Baton failed the run, and the flow stops here. */
export class PauseTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PauseTimeoutError";
  }
}

export type PauseOptions<S extends z.ZodType | Record<string, unknown>> = {
  /** What a person fills in: a zod object schema (its input is parsed with it) or a JSON Schema object. */
  schema: S;
  /** How long to wait for an answer; after it the run fails ("Nobody answered within …"). Default 1 hour. */
  timeoutSeconds?: number;
  /** What the person is asked: shown on the run page above the form, and in Paused alerts. */
  message?: string;
};

type Input<S> = S extends z.ZodType ? z.output<S> : Record<string, unknown>;

const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 3_000;

/**
 * Pauses the run until a person answers on its page (or with POST /flow-runs/{id}/resume) and
 * returns their input. The process waits in place: it keeps its agent slot and its lease, which
 * the agent (or, for a script run, its own heartbeat) keeps renewing, so a long pause never looks
 * like a crash (docs/states.md#paused). Throws PauseTimeoutError when nobody answered in time;
 * a person's cancel stops the process as for a running run.
 */
export async function pauseForInput<S extends z.ZodType | Record<string, unknown>>(options: PauseOptions<S>): Promise<Input<S>> {
  const flow = currentFlow();
  if (!flow?.client || !flow.runId) {
    throw new Error("pauseForInput needs a run in Baton: call it inside a flow run by an agent or started with a Baton profile (there is nobody to ask when the flow runs locally).");
  }
  const zod = options.schema instanceof z.ZodType ? options.schema : null;
  const jsonSchema = zod ? (z.toJSONSchema(zod, { io: "input", unrepresentable: "any", target: "draft-7" }) as Record<string, unknown>) : (options.schema as Record<string, unknown>);
  // What the flow reported so far shows on the page before it waits.
  await Promise.all([flow.tasks?.flush(), flow.logs.flush()]);
  const runId = flow.runId;
  let pause: Pause = pauseSchema.parse(
    await flow.client.request("POST", `/flow-runs/${runId}/pause`, {
      body: { transitionId: randomUUID(), schema: jsonSchema, message: options.message ?? null, timeoutSeconds: options.timeoutSeconds ?? 3600 },
      tries: 8,
    }),
  );
  flow.logs.write({ level: "info", message: `Paused for input${options.message ? `: ${options.message}` : ""} (until ${pause.timeoutAt})`, timestamp: new Date().toISOString() });
  for (let delay = FIRST_POLL_MS; pause.status === "waiting"; delay = Math.min(delay * 2, MAX_POLL_MS)) {
    // Never later than the deadline: the read then fails the run with Baton's message.
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(delay, Date.parse(pause.timeoutAt) - Date.now() + 50))));
    pause = pauseSchema.parse(await flow.client.request("GET", `/flow-runs/${runId}/pauses/${pause.id}`, { tries: 8 }));
  }
  if (pause.status === "timed_out") throw new PauseTimeoutError(pause.runState.message ?? "Nobody answered the pause within its timeout.");
  if (pause.status === "ended") throw new Error(`The run stopped while paused (${pause.runState.name}${pause.runState.message ? `: ${pause.runState.message}` : ""}).`);
  flow.logs.write({ level: "info", message: `Resumed by ${pause.submittedBy ?? "a person"}`, timestamp: new Date().toISOString() });
  return (zod ? zod.parse(pause.input) : pause.input) as Input<S>;
}
