import { z } from "zod";
import { authedProcedure, router, workspaceProcedure } from "../init";
import { decideDeviceAuthorization, lookupDeviceAuthorization } from "../../device-auth/decide-device-authorization";
import { ROLES } from "../../db/schema";

const userCode = z.string().max(32);
const decisionOut = z.object({ clientName: z.string(), role: z.enum(ROLES), workspace: z.object({ slug: z.string(), name: z.string() }) });

/** The browser half of `baton login`: /cli/authorize looks a user code up, then approves or denies it. */
export const deviceAuthRouter = router({
  lookup: authedProcedure
    .input(z.object({ userCode }))
    .output(z.object({ userCode: z.string(), clientName: z.string(), expiresAt: z.string() }))
    .query(({ ctx, input }) => lookupDeviceAuthorization(ctx.db, ctx.user.id, input.userCode)),

  // Any role may approve: the key the CLI receives carries the approver's own role.
  approve: workspaceProcedure
    .input(z.object({ userCode }))
    .output(decisionOut)
    .mutation(({ ctx, input }) => decideDeviceAuthorization(ctx.db, { workspace: ctx.workspace, actor: ctx.actor, userCode: input.userCode, decision: "approved" })),

  deny: workspaceProcedure
    .input(z.object({ userCode }))
    .output(decisionOut)
    .mutation(({ ctx, input }) => decideDeviceAuthorization(ctx.db, { workspace: ctx.workspace, actor: ctx.actor, userCode: input.userCode, decision: "denied" })),
});
