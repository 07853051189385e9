import { z } from "zod";
import { requireRole, router, workspaceProcedure } from "../init";
import { changeMemberRole, listMembers, removeMember } from "../../members/manage-members";
import { ROLES } from "../../db/schema";

export const membersRouter = router({
  list: workspaceProcedure
    .output(z.array(z.object({ userId: z.string(), email: z.string(), name: z.string().nullable(), role: z.enum(ROLES), joinedAt: z.string() })))
    .query(({ ctx }) => listMembers(ctx.db, ctx.workspace.id)),

  changeRole: requireRole("owner")
    .input(z.object({ userId: z.uuid(), role: z.enum(ROLES) }))
    .output(z.object({ role: z.enum(ROLES) }))
    .mutation(({ ctx, input }) => changeMemberRole(ctx.db, ctx.workspace.id, ctx.actor, input.userId, input.role)),

  remove: requireRole("owner")
    .input(z.object({ userId: z.uuid() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await removeMember(ctx.db, ctx.workspace.id, ctx.actor, input.userId);
      return { ok: true as const };
    }),

  leave: workspaceProcedure.output(z.object({ ok: z.literal(true) })).mutation(async ({ ctx }) => {
    await removeMember(ctx.db, ctx.workspace.id, ctx.actor, ctx.user.id);
    return { ok: true as const };
  }),
});
