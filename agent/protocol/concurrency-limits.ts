import { z } from "zod";
import { STATE_TYPES } from "./states";

/** A tag as runs and deployments carry it. */
export const concurrencyTagSchema = z.string().trim().min(1, "A tag cannot be empty").max(100, "A tag has at most 100 characters");

export const concurrencyLimitSetSchema = z
  .object({
    limit: z.number().int().min(0).max(100_000).meta({ description: "Most runs carrying the tag that hold a lease at once, across all pools; 0 holds every such run" }),
  })
  .meta({ id: "ConcurrencyLimitSet" });

/** A run that holds one of a limit's slots: it is PENDING, RUNNING, PAUSED or CANCELLING and carries the tag. */
export const slotHolderSchema = z
  .object({ id: z.uuid(), name: z.string(), state: z.object({ type: z.enum(STATE_TYPES), name: z.string() }), workPool: z.string().nullable() })
  .meta({ id: "SlotHolder" });

export const concurrencyLimitSchema = z
  .object({
    tag: z.string(),
    limit: z.number(),
    taken: z.number().meta({ description: "Slots taken now: runs carrying the tag that are PENDING, RUNNING, PAUSED or CANCELLING" }),
    holders: z.array(slotHolderSchema).meta({ description: "The runs taking the slots (at most 50 listed)" }),
    updatedBy: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "ConcurrencyLimit" });

export const concurrencyLimitListSchema = z.object({ concurrencyLimits: z.array(concurrencyLimitSchema) }).meta({ id: "ConcurrencyLimitList" });

export type ConcurrencyLimitView = z.infer<typeof concurrencyLimitSchema>;
export type SlotHolder = z.infer<typeof slotHolderSchema>;
