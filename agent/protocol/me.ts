import { z } from "zod";

export const API_KEY_ROLES = ["owner", "developer", "runner", "viewer", "agent"] as const;

export const meResponseSchema = z
  .object({
    workspace: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }),
    key: z.object({ name: z.string(), role: z.enum(API_KEY_ROLES) }),
    user: z.object({ id: z.uuid(), email: z.string(), name: z.string().nullable() }).nullable(),
  })
  .meta({ id: "Me", description: "The workspace, API key and user that a request authenticates as" });

export type MeResponse = z.infer<typeof meResponseSchema>;
