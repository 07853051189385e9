import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { listFlows, serializeFlow } from "../../flows/list-flows";
import { upsertFlow } from "../../flows/upsert-flow";
import { allowRoles, requireApiKey, type ApiEnv } from "../authenticate";
import { errorResponses, json, jsonBody } from "../openapi-helpers";

const flowSchema = z.object({ id: z.uuid(), name: z.string(), createdAt: z.string() }).meta({ id: "Flow" });

export function registerFlows(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "post",
      path: "/flows",
      summary: "Create a flow, or get it by name",
      middleware: [requireApiKey, allowRoles("owner", "developer")] as const,
      request: jsonBody(z.object({ name: z.string().trim().min(1).max(200) }).meta({ id: "FlowUpsert" })),
      responses: { 200: json("The flow", flowSchema), ...errorResponses },
    }),
    async (c) => c.json(serializeFlow(await upsertFlow(c.get("db"), c.get("principal").workspace.id, c.req.valid("json").name)), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/flows",
      summary: "List flows",
      middleware: [requireApiKey, allowRoles("owner", "developer", "runner", "viewer")] as const,
      responses: { 200: json("Flows by name", z.object({ flows: z.array(flowSchema) })), ...errorResponses },
    }),
    async (c) => c.json({ flows: await listFlows(c.get("db"), c.get("principal").workspace.id) }, 200),
  );
}
