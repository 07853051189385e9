import { z } from "zod";
import { requireRole, router } from "../init";
import { createInvitation, listPendingInvitations, revokeInvitation } from "../../invitations/invitations";
import { ROLES } from "../../db/schema";

const invitationOut = z.object({ id: z.string(), email: z.string(), role: z.enum(ROLES), createdAt: z.string(), expiresAt: z.string() });

export const invitationsRouter = router({
  list: requireRole("owner")
    .output(z.array(invitationOut))
    .query(({ ctx }) => listPendingInvitations(ctx.db, ctx.workspace.id)),

  create: requireRole("owner")
    .input(z.object({ email: z.string().max(254), role: z.enum(ROLES) }))
    .output(invitationOut)
    .mutation(({ ctx, input }) => createInvitation(ctx.db, ctx.workspace.id, ctx.actor, input)),

  revoke: requireRole("owner")
    .input(z.object({ invitationId: z.uuid() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await revokeInvitation(ctx.db, ctx.workspace.id, ctx.actor, input.invitationId);
      return { ok: true as const };
    }),
});
