import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { concurrencyLimitListSchema, concurrencyLimitSchema, concurrencyLimitSetSchema, concurrencyTagSchema } from "../../../agent/protocol/concurrency-limits";
import { principalActor } from "../../api-keys/authenticate-api-key";
import { listConcurrencyLimits, removeConcurrencyLimit, setConcurrencyLimit } from "../../concurrency-limits/manage-concurrency-limits";
import { allowRoles, requireApiKey, type ApiEnv } from "../authenticate";
import { errorResponses, json, jsonBody } from "../openapi-helpers";

const tagParam = { params: z.object({ tag: concurrencyTagSchema }) };
const developers = allowRoles("owner", "developer");

export function registerConcurrencyLimits(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/concurrency-limits",
      summary: "List concurrency limits by tag",
      description: "Each limit with the slots taken now and the runs taking them. A run takes a slot of every limited tag it carries while it is PENDING, RUNNING, PAUSED or CANCELLING.",
      middleware: [requireApiKey, allowRoles("owner", "developer", "runner", "viewer")] as const,
      responses: { 200: json("Limits by tag", concurrencyLimitListSchema), ...errorResponses },
    }),
    async (c) => c.json({ concurrencyLimits: await listConcurrencyLimits(c.get("db"), c.get("principal").workspace.id) }, 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/concurrency-limits/{tag}",
      summary: "Create or change the concurrency limit of a tag",
      description: "At most `limit` runs carrying the tag hold a lease at once, across every pool of the workspace; the others wait, Scheduled.",
      middleware: [requireApiKey, developers] as const,
      request: { ...tagParam, ...jsonBody(concurrencyLimitSetSchema) },
      responses: { 200: json("The limit", concurrencyLimitSchema), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await setConcurrencyLimit(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("param").tag, c.req.valid("json").limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/concurrency-limits/{tag}",
      summary: "Remove the concurrency limit of a tag",
      middleware: [requireApiKey, developers] as const,
      request: tagParam,
      responses: { 204: { description: "Removed" }, ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      await removeConcurrencyLimit(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("param").tag);
      return c.body(null, 204);
    },
  );
}
