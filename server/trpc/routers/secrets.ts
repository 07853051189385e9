import { z } from "zod";
import { configNameSchema, secretSchema, secretValueSchema } from "../../../agent/protocol/secrets";
import { deleteSecret, listSecrets, setSecret } from "../../secrets/manage-secrets";
import { requireRole, router, workspaceProcedure } from "../init";

/** No procedure returns a secret's value: the browser can write one, never read it back. */
export const secretsRouter = router({
  list: workspaceProcedure.output(z.array(secretSchema)).query(({ ctx }) => listSecrets(ctx.db, ctx.workspace.id)),

  set: requireRole("developer")
    .input(z.object({ name: configNameSchema, value: secretValueSchema }))
    .output(secretSchema)
    .mutation(({ ctx, input }) => setSecret(ctx.db, ctx.workspace.id, ctx.actor, input.name, input.value)),

  remove: requireRole("developer")
    .input(z.object({ name: configNameSchema }))
    .output(z.object({ removed: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await deleteSecret(ctx.db, ctx.workspace.id, ctx.actor, input.name);
      return { removed: true as const };
    }),
});
