import { z } from "zod";

export const API_KEY_ROLES = ["owner", "developer", "runner", "viewer", "agent"] as const;
/** `personal`: acts for its creator, at most with their current role. `service_account`: belongs to the workspace. */
export const API_KEY_KINDS = ["personal", "service_account"] as const;

export const meResponseSchema = z
  .object({
    workspace: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }),
    key: z.object({ name: z.string(), role: z.enum(API_KEY_ROLES), kind: z.enum(API_KEY_KINDS) }),
    user: z.object({ id: z.uuid(), email: z.string(), name: z.string().nullable() }).nullable(),
  })
  .meta({ id: "Me", description: "The workspace, API key and user that a request authenticates as (no user for a service account's key)" });

export type MeResponse = z.infer<typeof meResponseSchema>;
