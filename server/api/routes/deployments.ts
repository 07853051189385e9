import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { deploymentSchema, deploymentUpsertSchema, upsertResultSchema } from "../../../agent/protocol/deployments";
import { createRunSchema, flowRunSchema } from "../../../agent/protocol/runs";
import { getDeployment, loadDeployments } from "../../deployments/get-deployment";
import { deleteDeployment, setDeploymentPaused } from "../../deployments/manage-deployment";
import { upsertDeployment } from "../../deployments/upsert-deployment";
import { createDeploymentRun } from "../../runs/create-run";
import { principalActor } from "../../api-keys/authenticate-api-key";
import { allowRoles, requireApiKey, type ApiEnv } from "../authenticate";
import { errorResponses, json, jsonBody } from "../openapi-helpers";

const idParam = { params: z.object({ id: z.string() }) };
const readers = allowRoles("owner", "developer", "runner", "viewer");
const developers = allowRoles("owner", "developer");

export function registerDeployments(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "put",
      path: "/deployments",
      summary: "Create or update a deployment by flow and name (idempotent)",
      middleware: [requireApiKey, developers] as const,
      request: jsonBody(deploymentUpsertSchema),
      responses: { 200: json("What was created or changed", upsertResultSchema), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await upsertDeployment(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("json")), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/deployments",
      summary: "List deployments",
      middleware: [requireApiKey, readers] as const,
      responses: { 200: json("Deployments by flow and name", z.object({ deployments: z.array(deploymentSchema) })), ...errorResponses },
    }),
    async (c) => c.json({ deployments: await loadDeployments(c.get("db"), c.get("principal").workspace.id) }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/deployments/{id}",
      summary: "Get a deployment",
      middleware: [requireApiKey, readers] as const,
      request: idParam,
      responses: { 200: json("The deployment", deploymentSchema), ...errorResponses },
    }),
    async (c) => c.json(await getDeployment(c.get("db"), c.get("principal").workspace.id, c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/deployments/{id}",
      summary: "Delete a deployment and its future runs",
      middleware: [requireApiKey, developers] as const,
      request: idParam,
      responses: { 200: json("Deleted", z.object({ deleted: z.literal(true) })), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      await deleteDeployment(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("param").id);
      return c.json({ deleted: true as const }, 200);
    },
  );

  for (const action of ["pause", "resume"] as const) {
    app.openapi(
      createRoute({
        method: "post",
        path: `/deployments/{id}/${action}`,
        summary: action === "pause" ? "Pause: no new runs start, future scheduled runs are removed" : "Resume scheduling and claiming",
        middleware: [requireApiKey, developers] as const,
        request: idParam,
        responses: { 200: json("The deployment", deploymentSchema), ...errorResponses },
      }),
      async (c) => {
        const p = c.get("principal");
        return c.json(await setDeploymentPaused(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("param").id, action === "pause"), 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: "post",
      path: "/deployments/{id}/runs",
      summary: "Start a run of a deployment",
      description: "Parameters are merged over the deployment's defaults and validated against its JSON Schema (422 with per-field errors).",
      middleware: [requireApiKey, allowRoles("owner", "developer", "runner")] as const,
      request: { ...idParam, ...jsonBody(createRunSchema) },
      responses: {
        201: json("The new run", z.object({ run: flowRunSchema, created: z.literal(true) })),
        200: json("The run this idempotency key created before", z.object({ run: flowRunSchema, created: z.literal(false) })),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get("principal");
      const result = await createDeploymentRun(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("param").id, c.req.valid("json"));
      return result.created ? c.json({ run: result.run, created: true as const }, 201) : c.json({ run: result.run, created: false as const }, 200);
    },
  );
}
