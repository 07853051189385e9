import { z } from "zod";
import { automationInputSchema, automationSavedSchema, automationSchema, destinationSchema, newSecretSchema } from "../../../agent/protocol/automations";
import { deliveriesInputSchema, deliveriesPageSchema, listDeliveries } from "../../alerts/list-deliveries";
import {
  createAutomation,
  deleteAutomation,
  enableDestination,
  findDestination,
  getAutomation,
  listAutomations,
  rotateWebhookSecret,
  setAutomationEnabled,
  updateAutomation,
} from "../../alerts/manage-automations";
import { sendTestAlert } from "../../alerts/send-test-alert";
import { requireRole, router, workspaceProcedure } from "../init";

const byId = z.object({ automationId: z.uuid() });
const byDestination = z.object({ destinationId: z.uuid() });

/** Reads for every member; changes and "Send test" for developers and owners (ARCHITECTURE.md "Tenancy"). */
export const automationsRouter = router({
  list: workspaceProcedure.output(z.array(automationSchema)).query(({ ctx }) => listAutomations(ctx.db, ctx.workspace.id)),

  get: workspaceProcedure.input(byId).output(automationSchema).query(({ ctx, input }) => getAutomation(ctx.db, ctx.workspace.id, input.automationId)),

  create: requireRole("developer")
    .input(automationInputSchema)
    .output(automationSavedSchema)
    .mutation(({ ctx, input }) => createAutomation(ctx.db, { workspaceId: ctx.workspace.id, actor: ctx.actor }, input)),

  update: requireRole("developer")
    .input(automationInputSchema.extend(byId.shape))
    .output(automationSavedSchema)
    .mutation(({ ctx, input }) => updateAutomation(ctx.db, { workspaceId: ctx.workspace.id, actor: ctx.actor }, input.automationId, input)),

  delete: requireRole("developer")
    .input(byId)
    .output(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => deleteAutomation(ctx.db, { workspaceId: ctx.workspace.id, actor: ctx.actor }, input.automationId)),

  setEnabled: requireRole("developer")
    .input(byId.extend({ enabled: z.boolean() }))
    .output(automationSchema)
    .mutation(({ ctx, input }) => setAutomationEnabled(ctx.db, { workspaceId: ctx.workspace.id, actor: ctx.actor }, input.automationId, input.enabled)),

  enableDestination: requireRole("developer")
    .input(byDestination)
    .output(destinationSchema)
    .mutation(({ ctx, input }) => enableDestination(ctx.db, { workspaceId: ctx.workspace.id, actor: ctx.actor }, input.destinationId)),

  rotateWebhookSecret: requireRole("developer")
    .input(byDestination)
    .output(newSecretSchema)
    .mutation(({ ctx, input }) => rotateWebhookSecret(ctx.db, { workspaceId: ctx.workspace.id, actor: ctx.actor }, input.destinationId)),

  /** Delivers a sample to one action now and answers with the outcome, e.g. for "Delivered (HTTP 200)". */
  sendTest: requireRole("developer")
    .input(byDestination)
    .output(z.object({ outcome: z.enum(["sent", "retry", "failed", "kept"]), responseCode: z.number().nullable(), error: z.string().nullable() }))
    .mutation(async ({ ctx, input }) => {
      await findDestination(ctx.db, ctx.workspace.id, input.destinationId);
      return sendTestAlert(ctx.db, { workspaceId: ctx.workspace.id, destinationId: input.destinationId, testerId: ctx.actor.userId });
    }),

  deliveries: workspaceProcedure
    .input(deliveriesInputSchema)
    .output(deliveriesPageSchema)
    .query(({ ctx, input }) => listDeliveries(ctx.db, ctx.workspace.id, input)),
});
