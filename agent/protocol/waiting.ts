import { z } from "zod";
import { slotHolderSchema } from "./concurrency-limits";

/**
 * One thing that holds a SCHEDULED run back, or (`waiting_for_claim`) the note that nothing does.
 * The fields besides `kind` and `message` are those that kind names.
 */
export const waitingReasonSchema = z
  .object({
    kind: z.enum([
      "not_due",
      "fenced",
      "no_pool",
      "no_agent_online",
      "pool_paused",
      "deployment_paused",
      "pool_limit_full",
      "deployment_limit_full",
      "tag_limit_full",
      "no_agent_on_host",
      "waiting_for_claim",
    ]),
    message: z.string().meta({ description: "What holds the run back and what to do, as a person reads it" }),
    dueAt: z.string().optional(),
    pool: z.string().optional(),
    deployment: z.string().optional(),
    tag: z.string().optional(),
    host: z.string().optional().meta({ description: "no_agent_on_host: the machine whose folder holds the deployment's code" }),
    limit: z.number().optional(),
    holders: z.array(slotHolderSchema).optional().meta({ description: "The runs taking the full limit's slots" }),
    lastSeenAt: z.string().nullable().optional().meta({ description: "no_agent_online: when an agent of the pool was last heard from (null: never)" }),
    lastAgent: z.string().nullable().optional(),
    onlineAgents: z.number().optional(),
    slotsBusy: z.boolean().optional().meta({ description: "waiting_for_claim: every online agent's slots are in use" }),
  })
  .meta({ id: "WaitingReason" });

export const waitingSchema = z
  .object({
    claimable: z.boolean().meta({ description: "The claim's conditions hold: an agent of the pool asking now would be handed it (in priority order)" }),
    summary: z.string(),
    reasons: z.array(waitingReasonSchema),
  })
  .meta({ id: "Waiting", description: "Why a SCHEDULED run has not started, from the conditions the claim uses" });

export type WaitingReason = z.infer<typeof waitingReasonSchema>;
export type Waiting = z.infer<typeof waitingSchema>;
