import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { artifactCreateSchema, artifactHistoryQuerySchema, artifactListQuerySchema, artifactListSchema, artifactSchema } from "../../../agent/protocol";
import { createArtifact } from "../../artifacts/create-artifact";
import { listArtifactHistory } from "../../artifacts/list-artifact-history";
import { listRunArtifacts } from "../../artifacts/list-run-artifacts";
import { requireKeyOrRunToken, type ApiEnv } from "../authenticate";
import { canRead, canReport, reporter } from "../report-access";
import { errorResponses, json, jsonBody } from "../openapi-helpers";

export function registerArtifacts(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "post",
      path: "/artifacts",
      summary: "Create an artifact (markdown, table or link)",
      security: [{ bearer: [] }],
      middleware: [requireKeyOrRunToken, canReport] as const,
      request: jsonBody(artifactCreateSchema),
      responses: { 201: json("Created", artifactSchema), ...errorResponses },
    }),
    async (c) => c.json(await createArtifact({ pool: c.get("db").$client, ...reporter(c), input: c.req.valid("json") }), 201),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/flow-runs/{id}/artifacts",
      summary: "A flow run's artifacts, oldest first",
      security: [{ bearer: [] }],
      middleware: [requireKeyOrRunToken, canRead] as const,
      request: { params: z.object({ id: z.string() }), query: artifactListQuerySchema },
      responses: { 200: json("A page of artifacts", artifactListSchema), ...errorResponses },
    }),
    async (c) => c.json(await listRunArtifacts({ pool: c.get("db").$client, ...reporter(c), runId: c.req.valid("param").id, ...c.req.valid("query") }), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/artifacts",
      summary: "The history of a keyed artifact, newest first",
      security: [{ bearer: [] }],
      middleware: [requireKeyOrRunToken, canRead] as const,
      request: { query: artifactHistoryQuerySchema },
      responses: { 200: json("A page of the key's versions", artifactListSchema), ...errorResponses },
    }),
    async (c) => c.json(await listArtifactHistory({ pool: c.get("db").$client, ...reporter(c), ...c.req.valid("query") }), 200),
  );
}
