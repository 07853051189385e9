import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { configNameSchema, variableListSchema, variableSchema, variableSetSchema } from "../../../agent/protocol/secrets";
import { principalActor } from "../../api-keys/authenticate-api-key";
import { AppError } from "../../errors";
import { readVariableFromCode } from "../../secrets/read-from-code";
import { deleteVariable, listVariables, setVariable } from "../../variables/manage-variables";
import { allowRoles, requireApiKey, requireKeyOrRunToken, type ApiEnv } from "../authenticate";
import { errorResponses, json, jsonBody } from "../openapi-helpers";

const nameParam = { params: z.object({ name: configNameSchema }) };
const developers = allowRoles("owner", "developer");

export function registerVariables(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/variables",
      summary: "List variables",
      description: "Every variable of the workspace with its JSON value, who set it and the deployments that use it.",
      middleware: [requireApiKey, allowRoles("owner", "developer", "runner", "viewer")] as const,
      responses: { 200: json("Variables", variableListSchema), ...errorResponses },
    }),
    async (c) => c.json({ variables: await listVariables(c.get("db"), c.get("principal").workspace.id) }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/variables/{name}",
      summary: "Read a variable",
      description: "Any member's key reads any variable; a run token (`variables.get(name)` in a run) reads only those its deployment's env references, anything else is 404.",
      middleware: [requireKeyOrRunToken] as const,
      request: nameParam,
      responses: { 200: json("The variable", variableSchema), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      const run = c.get("run");
      if (!run && p.key.role === "agent") throw new AppError("FORBIDDEN", "An API key with the agent role cannot read variables; a run reads its own with its run token.");
      return c.json(await readVariableFromCode(c.get("db"), p.workspace.id, run ? { runId: run.runId } : { actor: principalActor(p) }, c.req.valid("param").name), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/variables/{name}",
      summary: "Create or change a variable",
      description: "Any JSON value up to 64 KiB. In a deployment's env, a string is used as is and any other value as its JSON text.",
      middleware: [requireApiKey, developers] as const,
      request: { ...nameParam, ...jsonBody(variableSetSchema) },
      responses: { 200: json("The variable", variableSchema), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await setVariable(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("param").name, c.req.valid("json").value), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/variables/{name}",
      summary: "Delete a variable",
      description: "Deployments that reference it keep the reference; their next run fails before it starts, naming the variable.",
      middleware: [requireApiKey, developers] as const,
      request: nameParam,
      responses: { 204: { description: "Deleted" }, ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      await deleteVariable(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("param").name);
      return c.body(null, 204);
    },
  );
}
