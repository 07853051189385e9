import { z } from "zod";

/** Every /api/v1 error has this shape, whatever the status. */
export const apiErrorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "Stable machine-readable code, e.g. unauthorized, not_found, validation_failed" }),
      message: z.string().meta({ description: "What happened and what to do, for a person" }),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: "Error" });

export type ApiError = z.infer<typeof apiErrorSchema>;
