import { z } from "zod";
import { authedProcedure, router, workspaceProcedure } from "../init";
import { decideDeviceAuthorization, lookupDeviceAuthorization } from "../../device-auth/decide-device-authorization";
import { API_KEY_ROLES } from "../../db/schema";

const userCode = z.string().max(32);
const decisionOut = z.object({ clientName: z.string(), role: z.enum(API_KEY_ROLES).nullable(), workspace: z.object({ slug: z.string(), name: z.string() }) });

/** The browser half of `baton login`: /cli/authorize looks a typed user code up, then approves or denies it. */
export const deviceAuthRouter = router({
  lookup: authedProcedure
    .input(z.object({ userCode }))
    .output(
      z.object({
        userCode: z.string(),
        clientName: z.string(),
        requestedAt: z.string(),
        requestedIp: z.string().nullable(),
        requestedUserAgent: z.string().nullable(),
        expiresAt: z.string(),
      }),
    )
    .query(({ ctx, input }) => lookupDeviceAuthorization(ctx.db, ctx.user.id, input.userCode)),

  // Any member may approve, giving the key a role they could give any key (at most their own).
  approve: workspaceProcedure
    .input(z.object({ userCode, role: z.enum(API_KEY_ROLES) }))
    .output(decisionOut)
    .mutation(({ ctx, input }) =>
      decideDeviceAuthorization(ctx.db, { workspace: ctx.workspace, actor: ctx.actor, userCode: input.userCode, decision: "approved", keyRole: input.role }),
    ),

  deny: workspaceProcedure
    .input(z.object({ userCode }))
    .output(decisionOut)
    .mutation(({ ctx, input }) => decideDeviceAuthorization(ctx.db, { workspace: ctx.workspace, actor: ctx.actor, userCode: input.userCode, decision: "denied" })),
});
