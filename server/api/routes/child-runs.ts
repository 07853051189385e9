import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import { childRunListSchema, childRunResultSchema, startChildRunSchema } from "../../../agent/protocol/child-runs";
import { flowRunSchema } from "../../../agent/protocol/runs";
import { AppError } from "../../errors";
import { getChildRun, listChildRuns, startChildRun } from "../../runs/child-runs";
import { getRun } from "../../runs/load-runs";
import { requireKeyOrRunToken, type ApiEnv } from "../authenticate";
import { canRead } from "../report-access";
import { errorResponses, json, jsonBody } from "../openapi-helpers";

/** A run token reads only its own run's children; a key with a person's role reads any run's in its workspace. */
async function parentFor(c: Context<ApiEnv>, parentId: string) {
  const run = c.get("run");
  if (run && run.runId !== parentId) throw new AppError("NOT_FOUND", "Flow run not found.");
  const workspaceId = c.get("principal").workspace.id;
  if (!run) await getRun(c.get("db"), workspaceId, parentId);
  return workspaceId;
}

export function registerChildRuns(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "post",
      path: "/flow-runs/{id}/children",
      summary: "Start a run of a deployment as a child of this run, with the run's token (runDeployment / run_deployment)",
      description:
        "The child runs on whatever agent serves its deployment's pool, with its own retries and state. The same idempotency key again returns the first child (`created: false`). Parameters are checked against the child deployment's schema (422 with `fieldErrors`).",
      security: [{ bearer: [] }],
      middleware: [requireKeyOrRunToken] as const,
      request: { params: z.object({ id: z.string() }), ...jsonBody(startChildRunSchema) },
      responses: { 201: json("The child run (or the one this key started before)", childRunResultSchema), ...errorResponses },
    }),
    async (c) => {
      const run = c.get("run");
      if (!run) throw new AppError("FORBIDDEN", "Child runs are started from inside a flow, with its run token (runDeployment / run_deployment). With an API key, create a run: POST /deployments/{id}/runs.");
      if (run.runId !== c.req.valid("param").id) throw new AppError("NOT_FOUND", "Flow run not found.");
      const result = await startChildRun(c.get("db"), run, c.req.valid("json"));
      return c.json(result, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/flow-runs/{id}/children",
      summary: "A run's children, oldest first",
      security: [{ bearer: [] }],
      middleware: [requireKeyOrRunToken, canRead] as const,
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: json("The runs this run started with runDeployment", childRunListSchema), ...errorResponses },
    }),
    async (c) => {
      const id = c.req.valid("param").id;
      const workspaceId = await parentFor(c, id);
      return c.json({ runs: await listChildRuns(c.get("db"), workspaceId, id) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/flow-runs/{id}/children/{childId}",
      summary: "One child of a run: what a waiting parent polls",
      security: [{ bearer: [] }],
      middleware: [requireKeyOrRunToken, canRead] as const,
      request: { params: z.object({ id: z.string(), childId: z.string() }) },
      responses: { 200: json("The child run", flowRunSchema), ...errorResponses },
    }),
    async (c) => {
      const { id, childId } = c.req.valid("param");
      const workspaceId = await parentFor(c, id);
      return c.json(await getChildRun(c.get("db"), workspaceId, id, childId), 200);
    },
  );
}
