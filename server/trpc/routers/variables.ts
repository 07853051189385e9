import { z } from "zod";
import { configNameSchema, variableSchema, variableValueSchema } from "../../../agent/protocol/secrets";
import { deleteVariable, listVariables, setVariable } from "../../variables/manage-variables";
import { requireRole, router, workspaceProcedure } from "../init";

export const variablesRouter = router({
  list: workspaceProcedure.output(z.array(variableSchema)).query(({ ctx }) => listVariables(ctx.db, ctx.workspace.id)),

  set: requireRole("developer")
    .input(z.object({ name: configNameSchema, value: variableValueSchema }))
    .output(variableSchema)
    .mutation(({ ctx, input }) => setVariable(ctx.db, ctx.workspace.id, ctx.actor, input.name, input.value)),

  remove: requireRole("developer")
    .input(z.object({ name: configNameSchema }))
    .output(z.object({ removed: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await deleteVariable(ctx.db, ctx.workspace.id, ctx.actor, input.name);
      return { removed: true as const };
    }),
});
