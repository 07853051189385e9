import { z } from "zod";
import { isoTimestampSchema } from "./storable";

export const cacheKeyParamSchema = z.object({ key: z.string().min(1).max(512) });

export const cachePutSchema = z
  .object({
    value: z.unknown().refine((v) => v !== undefined, "Required: the JSON value to store (null is allowed)").meta({ description: "Any JSON value" }),
    expiresAt: isoTimestampSchema.nullable().optional().meta({ description: "After this the entry counts as missing; omit or null to keep it" }),
  })
  .meta({ id: "CachePut" });

export const cacheEntrySchema = z
  .object({ key: z.string(), value: z.unknown(), expiresAt: z.string().nullable() })
  .meta({ id: "CacheEntry" });

export type CacheEntry = z.infer<typeof cacheEntrySchema>;
