import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import {
  createIncomingWebhookSchema,
  incomingWebhookListSchema,
  incomingWebhookRequestListSchema,
  incomingWebhookSchema,
  incomingWebhookWithSecretSchema,
  requestListQuerySchema,
  updateIncomingWebhookSchema,
} from "../../../agent/protocol/incoming-webhooks";
import { principalActor, type ApiPrincipal } from "../../api-keys/authenticate-api-key";
import {
  createIncomingWebhook,
  deleteIncomingWebhook,
  getIncomingWebhook,
  listIncomingWebhooks,
  listWebhookRequests,
  rotateIncomingWebhook,
  updateIncomingWebhook,
} from "../../incoming-webhooks/manage-incoming-webhooks";
import { allowRoles, requireApiKey, type ApiEnv } from "../authenticate";
import { errorResponses, json, jsonBody } from "../openapi-helpers";

const idParam = { params: z.object({ id: z.uuid() }) };
const members = allowRoles("owner", "developer", "runner", "viewer");
const developers = allowRoles("owner", "developer");
/** The URL alone may start runs: only keys that may change endpoints see it. */
const viewerOf = (p: ApiPrincipal) => ({ canWrite: p.key.role === "owner" || p.key.role === "developer" });

export function registerIncomingWebhooks(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/incoming-webhooks",
      summary: "List incoming webhook endpoints",
      description: "Every endpoint of the workspace. `url` is given to owner and developer keys only; the signing secret is never listed.",
      middleware: [requireApiKey, members] as const,
      responses: { 200: json("Endpoints", incomingWebhookListSchema), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json({ incomingWebhooks: await listIncomingWebhooks(c.get("db"), p.workspace.id, viewerOf(p)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/incoming-webhooks",
      summary: "Create an incoming webhook endpoint",
      description: "Bound to one deployment; the parameter template is checked against its schema. With a github or stripe scheme the answer carries the signing secret, shown this once.",
      middleware: [requireApiKey, developers] as const,
      request: jsonBody(createIncomingWebhookSchema),
      responses: { 201: json("The endpoint and its secret", incomingWebhookWithSecretSchema), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await createIncomingWebhook(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("json")), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/incoming-webhooks/{id}",
      summary: "Describe an incoming webhook endpoint",
      middleware: [requireApiKey, members] as const,
      request: idParam,
      responses: { 200: json("The endpoint", incomingWebhookSchema), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await getIncomingWebhook(c.get("db"), p.workspace.id, viewerOf(p), c.req.valid("param").id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/incoming-webhooks/{id}",
      summary: "Change an incoming webhook endpoint",
      description: "Rename, rebind, change the template, the rate limit or the scheme, enable or disable. A change to github or stripe returns a new secret, once.",
      middleware: [requireApiKey, developers] as const,
      request: { ...idParam, ...jsonBody(updateIncomingWebhookSchema) },
      responses: { 200: json("The endpoint, and a secret when one was made", incomingWebhookWithSecretSchema), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await updateIncomingWebhook(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("param").id, c.req.valid("json")), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/incoming-webhooks/{id}",
      summary: "Delete an incoming webhook endpoint",
      description: "Its URL answers 404 from now on; runs it started stay.",
      middleware: [requireApiKey, developers] as const,
      request: idParam,
      responses: { 204: { description: "Deleted" }, ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      await deleteIncomingWebhook(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("param").id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/incoming-webhooks/{id}/rotate",
      summary: "Rotate an endpoint's URL and secret",
      description: "A new URL (the old one answers 404 at once) and, with a signature scheme, a new secret shown this once.",
      middleware: [requireApiKey, developers] as const,
      request: idParam,
      responses: { 200: json("The endpoint and its new secret", incomingWebhookWithSecretSchema), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await rotateIncomingWebhook(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("param").id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/incoming-webhooks/{id}/requests",
      summary: "An endpoint's request log",
      description: "The last 500 calls, newest first: headers (credentials redacted), the body's first 8 KiB, the outcome and the run it started. Page with `cursor` = the previous page's `nextCursor`.",
      middleware: [requireApiKey, members] as const,
      request: { ...idParam, query: requestListQuerySchema },
      responses: { 200: json("Requests", incomingWebhookRequestListSchema), ...errorResponses },
    }),
    async (c) => c.json(await listWebhookRequests(c.get("db"), c.get("principal").workspace.id, c.req.valid("param").id, c.req.valid("query")), 200),
  );
}
