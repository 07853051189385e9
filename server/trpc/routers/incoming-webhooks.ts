import { z } from "zod";
import {
  createIncomingWebhookSchema,
  incomingWebhookRequestListSchema,
  incomingWebhookSchema,
  incomingWebhookWithSecretSchema,
  requestListQuerySchema,
  updateIncomingWebhookSchema,
} from "../../../agent/protocol/incoming-webhooks";
import { roleAtLeast } from "../../auth/roles";
import {
  createIncomingWebhook,
  deleteIncomingWebhook,
  getIncomingWebhook,
  listIncomingWebhooks,
  listWebhookRequests,
  rotateIncomingWebhook,
  updateIncomingWebhook,
} from "../../incoming-webhooks/manage-incoming-webhooks";
import { requireRole, router, workspaceProcedure } from "../init";

const byId = z.object({ id: z.string() });
/** The URL alone may start runs: members below developer see the endpoint without it. */
const viewerOf = (role: Parameters<typeof roleAtLeast>[0]) => ({ canWrite: roleAtLeast(role, "developer") });

/** The signing secret leaves the server only in the answer that made it (create, rotate, a change of scheme). */
export const incomingWebhooksRouter = router({
  list: workspaceProcedure.output(z.array(incomingWebhookSchema)).query(({ ctx }) => listIncomingWebhooks(ctx.db, ctx.workspace.id, viewerOf(ctx.role))),

  get: workspaceProcedure
    .input(byId)
    .output(incomingWebhookSchema)
    .query(({ ctx, input }) => getIncomingWebhook(ctx.db, ctx.workspace.id, viewerOf(ctx.role), input.id)),

  requests: workspaceProcedure
    .input(byId.extend(requestListQuerySchema.shape))
    .output(incomingWebhookRequestListSchema)
    .query(({ ctx, input }) => listWebhookRequests(ctx.db, ctx.workspace.id, input.id, input)),

  create: requireRole("developer")
    .input(createIncomingWebhookSchema)
    .output(incomingWebhookWithSecretSchema)
    .mutation(({ ctx, input }) => createIncomingWebhook(ctx.db, ctx.workspace.id, ctx.actor, input)),

  update: requireRole("developer")
    .input(byId.extend(updateIncomingWebhookSchema.shape))
    .output(incomingWebhookWithSecretSchema)
    .mutation(({ ctx, input }) => {
      const { id, workspace: _workspace, ...changes } = input;
      return updateIncomingWebhook(ctx.db, ctx.workspace.id, ctx.actor, id, changes);
    }),

  rotate: requireRole("developer")
    .input(byId)
    .output(incomingWebhookWithSecretSchema)
    .mutation(({ ctx, input }) => rotateIncomingWebhook(ctx.db, ctx.workspace.id, ctx.actor, input.id)),

  delete: requireRole("developer")
    .input(byId)
    .output(z.object({ deleted: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await deleteIncomingWebhook(ctx.db, ctx.workspace.id, ctx.actor, input.id);
      return { deleted: true as const };
    }),
});
