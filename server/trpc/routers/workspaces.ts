import { z } from "zod";
import { authedProcedure, requireRole, router, workspaceProcedure } from "../init";
import { createWorkspace } from "../../workspaces/create-workspace";
import { updateWorkspace } from "../../workspaces/update-workspace";
import { ROLES } from "../../db/schema";

const workspaceOut = z.object({ id: z.string(), slug: z.string(), name: z.string() });

export const workspacesRouter = router({
  create: authedProcedure
    .input(z.object({ name: z.string().max(200), slug: z.string().max(64).optional() }))
    .output(workspaceOut)
    .mutation(({ ctx, input }) => createWorkspace(ctx.db, { userId: ctx.user.id, label: ctx.user.email, ip: ctx.ip }, input)),

  get: workspaceProcedure
    .output(workspaceOut.extend({ role: z.enum(ROLES) }))
    .query(({ ctx }) => ({ id: ctx.workspace.id, slug: ctx.workspace.slug, name: ctx.workspace.name, role: ctx.role })),

  update: requireRole("owner")
    .input(z.object({ name: z.string().max(200).optional(), slug: z.string().max(64).optional() }))
    .output(workspaceOut)
    .mutation(({ ctx, input }) => updateWorkspace(ctx.db, ctx.workspace.id, ctx.actor, { name: input.name, slug: input.slug })),
});
