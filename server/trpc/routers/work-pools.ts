import { z } from "zod";
import { agentSchema, workPoolCreateSchema, workPoolSchema, workPoolUpdateSchema } from "../../../agent/protocol/work-pools";
import { listAgents } from "../../agents/agents";
import { createWorkPool, listWorkPools, updateWorkPool } from "../../work-pools/manage-work-pools";
import { requireRole, router, workspaceProcedure } from "../init";

export const workPoolsRouter = router({
  list: workspaceProcedure.output(z.array(workPoolSchema)).query(({ ctx }) => listWorkPools(ctx.db, ctx.workspace.id)),

  create: requireRole("developer").input(workPoolCreateSchema).output(workPoolSchema).mutation(({ ctx, input }) => createWorkPool(ctx.db, ctx.workspace.id, ctx.actor, input)),

  update: requireRole("developer")
    .input(workPoolUpdateSchema.extend({ pool: z.string() }))
    .output(workPoolSchema)
    .mutation(({ ctx, input }) => updateWorkPool(ctx.db, ctx.workspace.id, ctx.actor, input.pool, input)),

  agents: workspaceProcedure.output(z.array(agentSchema)).query(({ ctx }) => listAgents(ctx.db, ctx.workspace.id)),
});
