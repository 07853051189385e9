import { z } from "zod";
import { stateOutSchema } from "./states";

/** The longest a run may wait in place for a person: its process, agent slot and lease are held all along. */
export const MAX_PAUSE_SECONDS = 7 * 24 * 3600;

export const pauseRequestSchema = z
  .object({
    transitionId: z.uuid().meta({ description: "Client-made; the same id again returns the same pause (a retried call after a lost answer)" }),
    schema: z.record(z.string(), z.unknown()).meta({ description: "JSON Schema of the input a person gives (an object schema); the run page renders a form from it" }),
    message: z.string().max(4000).nullish().meta({ description: "What the person is asked, shown above the form and in Paused alerts" }),
    timeoutSeconds: z.number().int().min(1).max(MAX_PAUSE_SECONDS).meta({ description: "After this the run fails: \"Nobody answered within …\"" }),
  })
  .meta({ id: "PauseRequest" });

export const PAUSE_STATUSES = ["waiting", "answered", "timed_out", "ended"] as const;

export const pauseSchema = z
  .object({
    id: z.uuid(),
    runId: z.uuid(),
    attempt: z.number().int(),
    schema: z.record(z.string(), z.unknown()),
    message: z.string().nullable(),
    timeoutAt: z.string(),
    /** waiting: still paused (or being cancelled: its agent stops the process); answered: the input is here; timed_out: nobody answered and the run failed; ended: the run stopped otherwise (cancelled, crashed). */
    status: z.enum(PAUSE_STATUSES),
    input: z.record(z.string(), z.unknown()).nullable(),
    submittedBy: z.string().nullable(),
    submittedAt: z.string().nullable(),
    runState: stateOutSchema,
  })
  .meta({ id: "Pause" });

export type Pause = z.infer<typeof pauseSchema>;

export const resumeRequestSchema = z
  .object({ input: z.record(z.string(), z.unknown()).meta({ description: "The answer; validated against the pause's JSON Schema" }) })
  .meta({ id: "ResumeRequest" });
