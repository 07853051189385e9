import { z } from "zod";
import { authedProcedure, router } from "../init";
import { resendVerificationEmail } from "../../accounts/verify-email";
import { changePassword } from "../../accounts/change-password";
import { listWorkspacesForUser } from "../../workspaces/workspace-access";
import { ROLES } from "../../db/schema";

export const accountRouter = router({
  me: authedProcedure
    .output(z.object({
      id: z.string(),
      email: z.string(),
      name: z.string().nullable(),
      emailVerified: z.boolean(),
      workspaces: z.array(z.object({ slug: z.string(), name: z.string(), role: z.enum(ROLES) })),
    }))
    .query(async ({ ctx }) => ({
      id: ctx.user.id,
      email: ctx.user.email,
      name: ctx.user.name,
      emailVerified: ctx.user.emailVerifiedAt !== null,
      workspaces: await listWorkspacesForUser(ctx.db, ctx.user.id),
    })),

  resendVerification: authedProcedure
    .output(z.object({ alreadyVerified: z.boolean() }))
    .mutation(({ ctx }) => resendVerificationEmail(ctx.db, ctx.user.id)),

  changePassword: authedProcedure
    .input(z.object({ currentPassword: z.string().max(200), newPassword: z.string().max(200) }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await changePassword(ctx.db, { userId: ctx.user.id, sessionId: ctx.sessionId, ...input });
      return { ok: true as const };
    }),
});
