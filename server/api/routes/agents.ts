import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { agentRegisterSchema, agentSchema, heartbeatResponseSchema, heartbeatSchema } from "../../../agent/protocol/work-pools";
import { heartbeat, listAgents, registerAgent } from "../../agents/agents";
import { allowRoles, requireApiKey, type ApiEnv } from "../authenticate";
import { errorResponses, json, jsonBody } from "../openapi-helpers";

const agentRoles = allowRoles("owner", "developer", "agent");

export function registerAgents(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "post",
      path: "/agents",
      summary: "Register an agent in a pool (by name; again re-registers)",
      middleware: [requireApiKey, agentRoles] as const,
      request: jsonBody(agentRegisterSchema),
      responses: { 200: json("The agent", agentSchema), ...errorResponses },
    }),
    async (c) => c.json(await registerAgent(c.get("db"), c.get("principal").workspace.id, c.req.valid("json")), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/agents",
      summary: "List agents with online status",
      middleware: [requireApiKey, allowRoles("owner", "developer", "runner", "viewer")] as const,
      responses: { 200: json("Agents", z.object({ agents: z.array(agentSchema) })), ...errorResponses },
    }),
    async (c) => c.json({ agents: await listAgents(c.get("db"), c.get("principal").workspace.id) }, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/agents/{id}/heartbeat",
      summary: "Heartbeat: renew the leases of held runs; learn which to cancel",
      middleware: [requireApiKey, agentRoles] as const,
      request: { params: z.object({ id: z.string() }), ...jsonBody(heartbeatSchema) },
      responses: { 200: json("Runs to cancel and runs lost", heartbeatResponseSchema), ...errorResponses },
    }),
    async (c) => c.json(await heartbeat(c.get("db"), c.get("principal").workspace.id, c.req.valid("param").id, c.req.valid("json")), 200),
  );
}
