import { z } from "zod";
import { isoTimestampSchema, MAX_INT32 } from "./storable";

export const LOG_LEVELS = ["debug", "info", "warning", "error", "critical"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Lines longer than this many UTF-8 bytes are stored cut, ending in a `… [truncated N bytes]` marker. */
export const MAX_LOG_LINE_BYTES = 16 * 1024;

export const logLevelSchema = z.enum(LOG_LEVELS).meta({ id: "LogLevel" });

export const logLineSchema = z
  .object({
    runId: z.uuid(),
    taskRunId: z.uuid().nullable().optional(),
    attempt: z.number().int().min(0).max(1_000_000).meta({ description: "The flow run attempt that wrote the line" }),
    seq: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .meta({ description: "Per run attempt, increasing; (run, attempt, seq) is stored once however often it is re-sent" }),
    level: logLevelSchema,
    timestamp: isoTimestampSchema,
    message: z.string().meta({ description: `Lines over ${MAX_LOG_LINE_BYTES} UTF-8 bytes are cut, with a marker saying how much was dropped` }),
  })
  .meta({ id: "LogLine" });

export type LogLine = z.infer<typeof logLineSchema>;

export const logBatchSchema = z
  .object({ logs: z.array(logLineSchema).min(1).max(10_000) })
  .meta({ id: "LogBatch", description: "Validated whole: an unknown run refuses the batch and nothing is written. Over 1 MiB → 413." });

export const logBatchResultSchema = z
  .object({
    accepted: z.number().int().meta({ description: "Lines stored by this request" }),
    duplicates: z.number().int().meta({ description: "Lines already stored (a re-sent batch); not stored again" }),
  })
  .meta({ id: "LogBatchResult" });

export const logQuerySchema = z.object({
  after: z
    .string()
    .regex(/^\d{1,7}:\d{1,10}$/, "Pass back a nextCursor from an earlier page")
    .refine((s) => Number(s.slice(s.indexOf(":") + 1)) <= MAX_INT32, "Pass back a nextCursor from an earlier page")
    .optional()
    .meta({ description: "Opaque cursor: the nextCursor of an earlier page. Omit to start at the first line." }),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  level: logLevelSchema.optional().meta({ description: "Minimum level: warning returns warning, error and critical lines" }),
});

export const logSchema = z
  .object({
    runId: z.uuid(),
    taskRunId: z.uuid().nullable(),
    attempt: z.number(),
    seq: z.number(),
    level: logLevelSchema,
    timestamp: z.string(),
    message: z.string(),
  })
  .meta({ id: "Log" });

export type Log = z.infer<typeof logSchema>;

export const logPageSchema = z
  .object({
    logs: z.array(logSchema).meta({ description: "Ordered by (attempt, seq)" }),
    nextCursor: z.string().nullable().meta({
      description: "Pass as `after` to read on. Also set when the page is empty but `after` was given, so a client tails a run by polling with the last cursor; null only when the run has no lines yet",
    }),
    hasMore: z.boolean().meta({ description: "True when more lines were already there than `limit`" }),
  })
  .meta({ id: "LogPage" });
