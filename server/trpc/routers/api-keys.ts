import { z } from "zod";
import { isoTimestampSchema } from "../../../agent/protocol/storable";
import { requireRole, router } from "../init";
import { createApiKey, createServiceAccountKey, listApiKeys, revokeApiKey } from "../../api-keys/manage-api-keys";
import { API_KEY_KINDS, API_KEY_ROLES } from "../../db/schema";

const keyOut = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(API_KEY_ROLES),
  kind: z.enum(API_KEY_KINDS),
  prefix: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  expired: z.boolean(),
});

const createIn = z.object({ name: z.string().max(200), role: z.enum(API_KEY_ROLES), expiresAt: isoTimestampSchema.optional() });
const createdOut = z.object({
  key: z.string(),
  apiKey: z.object({ id: z.string(), name: z.string(), role: z.enum(API_KEY_ROLES), kind: z.enum(API_KEY_KINDS), prefix: z.string(), expiresAt: z.string().nullable() }),
});

export const apiKeysRouter = router({
  list: requireRole("developer")
    .output(z.array(keyOut))
    .query(({ ctx }) => listApiKeys(ctx.db, ctx.workspace.id)),

  create: requireRole("developer")
    .input(createIn)
    .output(createdOut)
    .mutation(({ ctx, input }) => createApiKey(ctx.db, ctx.workspace.id, { ...ctx.actor, userId: ctx.user.id }, input)),

  createServiceAccount: requireRole("owner")
    .input(createIn)
    .output(createdOut)
    .mutation(({ ctx, input }) => createServiceAccountKey(ctx.db, ctx.workspace.id, { ...ctx.actor, userId: ctx.user.id }, input)),

  revoke: requireRole("developer")
    .input(z.object({ keyId: z.uuid() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await revokeApiKey(ctx.db, ctx.workspace.id, ctx.actor, input.keyId);
      return { ok: true as const };
    }),
});
