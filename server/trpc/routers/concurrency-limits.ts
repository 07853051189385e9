import { z } from "zod";
import { concurrencyLimitSchema, concurrencyLimitSetSchema, concurrencyTagSchema } from "../../../agent/protocol/concurrency-limits";
import { listConcurrencyLimits, removeConcurrencyLimit, setConcurrencyLimit } from "../../concurrency-limits/manage-concurrency-limits";
import { requireRole, router, workspaceProcedure } from "../init";

export const concurrencyLimitsRouter = router({
  list: workspaceProcedure.output(z.array(concurrencyLimitSchema)).query(({ ctx }) => listConcurrencyLimits(ctx.db, ctx.workspace.id)),

  set: requireRole("developer")
    .input(concurrencyLimitSetSchema.extend({ tag: concurrencyTagSchema }))
    .output(concurrencyLimitSchema)
    .mutation(({ ctx, input }) => setConcurrencyLimit(ctx.db, ctx.workspace.id, ctx.actor, input.tag, input.limit)),

  remove: requireRole("developer")
    .input(z.object({ tag: concurrencyTagSchema }))
    .output(z.object({ removed: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await removeConcurrencyLimit(ctx.db, ctx.workspace.id, ctx.actor, input.tag);
      return { removed: true as const };
    }),
});
