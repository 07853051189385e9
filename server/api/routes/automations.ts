import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { automationInputSchema, automationSavedSchema, automationSchema } from "../../../agent/protocol/automations";
import { createAutomation, deleteAutomation, findDestination, getAutomation, listAutomations, updateAutomation } from "../../alerts/manage-automations";
import { sendTestAlert } from "../../alerts/send-test-alert";
import { principalActor, type ApiPrincipal } from "../../api-keys/authenticate-api-key";
import { AppError } from "../../errors";
import { allowRoles, requireApiKey, type ApiEnv } from "../authenticate";
import { errorResponses, json, jsonBody } from "../openapi-helpers";

const idParam = { params: z.object({ id: z.uuid() }) };
const readers = allowRoles("owner", "developer", "runner", "viewer");
const developers = allowRoles("owner", "developer");

const ctxOf = (p: ApiPrincipal) => ({ workspaceId: p.workspace.id, actor: principalActor(p) });

/** Automations as code: the same service as the Automations pages, for API keys of developers and owners. */
export function registerAutomations(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/automations",
      summary: "List automations",
      middleware: [requireApiKey, readers] as const,
      responses: { 200: json("Automations by name", z.object({ automations: z.array(automationSchema) })), ...errorResponses },
    }),
    async (c) => c.json({ automations: await listAutomations(c.get("db"), c.get("principal").workspace.id) }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/automations/{id}",
      summary: "Get an automation",
      middleware: [requireApiKey, readers] as const,
      request: idParam,
      responses: { 200: json("The automation", automationSchema), ...errorResponses },
    }),
    async (c) => c.json(await getAutomation(c.get("db"), c.get("principal").workspace.id, c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/automations",
      summary: "Create an automation",
      description: "Every problem comes back at once: 400 with `details.fieldErrors` keyed by field. New webhook actions' signing secrets are in `newSecrets`, this once.",
      middleware: [requireApiKey, developers] as const,
      request: jsonBody(automationInputSchema),
      responses: { 201: json("The automation", automationSavedSchema), ...errorResponses },
    }),
    async (c) => c.json(await createAutomation(c.get("db"), ctxOf(c.get("principal")), c.req.valid("json")), 201),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/automations/{id}",
      summary: "Replace an automation's trigger, filters and actions",
      description: 'Actions sent with their `id` keep their history; with `url: "keep"` they keep their stored URL.',
      middleware: [requireApiKey, developers] as const,
      request: { ...idParam, ...jsonBody(automationInputSchema) },
      responses: { 200: json("The automation", automationSavedSchema), ...errorResponses },
    }),
    async (c) => c.json(await updateAutomation(c.get("db"), ctxOf(c.get("principal")), c.req.valid("param").id, c.req.valid("json")), 200),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/automations/{id}",
      summary: "Delete an automation (its pending alerts are dropped)",
      middleware: [requireApiKey, developers] as const,
      request: idParam,
      responses: { 200: json("Deleted", z.object({ id: z.string() })), ...errorResponses },
    }),
    async (c) => c.json(await deleteAutomation(c.get("db"), ctxOf(c.get("principal")), c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/automations/{id}/actions/{actionId}/test",
      summary: "Send a test alert to one action now",
      middleware: [requireApiKey, developers] as const,
      request: { params: z.object({ id: z.uuid(), actionId: z.uuid() }) },
      responses: {
        200: json("What the destination answered", z.object({ outcome: z.enum(["sent", "retry", "failed", "kept"]), responseCode: z.number().nullable(), error: z.string().nullable() })),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { id, actionId } = c.req.valid("param");
      const workspaceId = c.get("principal").workspace.id;
      const action = await findDestination(c.get("db"), workspaceId, actionId);
      if (action.automationId !== id) throw new AppError("NOT_FOUND", "Action not found in this automation.");
      return c.json(await sendTestAlert(c.get("db"), { workspaceId, destinationId: actionId, testerId: principalActor(c.get("principal")).userId }), 200);
    },
  );
}
