import { z } from "zod";

export const STATE_TYPES = ["SCHEDULED", "PENDING", "RUNNING", "COMPLETED", "FAILED", "CRASHED", "CANCELLING", "CANCELLED", "PAUSED"] as const;
export type StateType = (typeof STATE_TYPES)[number];
export const TERMINAL_STATES: readonly StateType[] = ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"];

/** The names each type may carry; the first is its default. */
export const STATE_NAMES: Record<StateType, readonly string[]> = {
  SCHEDULED: ["Scheduled", "Late", "AwaitingRetry"],
  PENDING: ["Pending"],
  RUNNING: ["Running", "Retrying"],
  COMPLETED: ["Completed", "Cached"],
  FAILED: ["Failed", "TimedOut"],
  CRASHED: ["Crashed"],
  CANCELLING: ["Cancelling"],
  // Skipped: a scheduled run its deployment's catch-up policy or max lateness dropped (docs/scheduling.md#catch-up).
  CANCELLED: ["Cancelled", "Skipped"],
  // Waiting in place for a person's input (pauseForInput / pause_flow_run): it keeps its process, slot and lease (docs/states.md#paused).
  PAUSED: ["Paused"],
};

/** States in which a run holds a lease (and an agent slot, and concurrency slots): its process exists. */
export const LEASED_STATES: readonly StateType[] = ["PENDING", "RUNNING", "CANCELLING", "PAUSED"];

export const stateTypeSchema = z.enum(STATE_TYPES);

export const stateSchema = z
  .object({
    type: stateTypeSchema,
    name: z.string().max(40).optional().meta({ description: "Defaults to the type's usual name, e.g. Completed" }),
    message: z.string().max(4000).optional(),
  })
  .refine((s) => !s.name || STATE_NAMES[s.type].includes(s.name), {
    message: "This state name does not belong to the state type (e.g. TimedOut is a FAILED name)",
    path: ["name"],
  })
  .meta({ id: "State" });

export type State = z.infer<typeof stateSchema>;

/** A task run's state: any but PAUSED, which only a flow run takes (its process waits, not a task). */
export const taskStateSchema = stateSchema.refine((s) => s.type !== "PAUSED", {
  message: "A task run cannot be PAUSED; pause the flow run (pauseForInput / pause_flow_run)",
  path: ["type"],
});

export const stateOutSchema = z
  .object({ type: stateTypeSchema, name: z.string(), message: z.string().nullable(), timestamp: z.string() })
  .meta({ id: "CurrentState" });
