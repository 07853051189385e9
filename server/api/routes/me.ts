import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { apiErrorSchema, meResponseSchema } from "../../../agent/protocol";
import { requireApiKey, type ApiEnv } from "../authenticate";

const route = createRoute({
  method: "get",
  path: "/me",
  summary: "Who this API key is",
  security: [{ bearer: [] }],
  middleware: [requireApiKey] as const,
  responses: {
    200: { description: "The workspace, key and user", content: { "application/json": { schema: meResponseSchema } } },
    401: { description: "Missing, malformed, revoked or expired key", content: { "application/json": { schema: apiErrorSchema } } },
  },
});

export function registerMe(app: OpenAPIHono<ApiEnv>) {
  app.openapi(route, (c) => {
    const { workspace, key, user } = c.get("principal");
    return c.json({ workspace, key: { name: key.name, role: key.role, kind: key.kind }, user }, 200);
  });
}
