import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import {
  taskRunBatchCreateSchema,
  taskRunBatchResultSchema,
  taskRunCreateSchema,
  taskRunListQuerySchema,
  taskRunListSchema,
  taskRunSchema,
  taskRunStateReportBatchSchema,
  taskRunStateResultsSchema,
} from "../../../agent/protocol";
import { createTaskRun } from "../../task-runs/create-task-run";
import { createTaskRunsBatch } from "../../task-runs/create-task-runs-batch";
import { listTaskRuns } from "../../task-runs/list-task-runs";
import { reportTaskRunStates } from "../../task-runs/report-task-run-states";
import { requireKeyOrRunToken, type ApiEnv } from "../authenticate";
import { canRead, canReport, reporter } from "../report-access";
import { errorResponses, json, jsonBody } from "../openapi-helpers";

export function registerTaskRuns(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "post",
      path: "/task-runs",
      summary: "Create a task run (the same task key and dynamic key again returns the existing one)",
      security: [{ bearer: [] }],
      middleware: [requireKeyOrRunToken, canReport] as const,
      request: jsonBody(taskRunCreateSchema),
      responses: {
        200: json("It already existed; returned unchanged", taskRunSchema),
        201: json("Created", taskRunSchema),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { taskRun, created } = await createTaskRun({ pool: c.get("db").$client, ...reporter(c), input: c.req.valid("json") });
      return created ? c.json(taskRun, 201) : c.json(taskRun, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/task-runs/batch",
      summary: "Create many task runs of one flow run in one statement (ids made by the client)",
      security: [{ bearer: [] }],
      middleware: [requireKeyOrRunToken, canReport] as const,
      request: jsonBody(taskRunBatchCreateSchema),
      responses: { 200: json("One result per task run, in order", taskRunBatchResultSchema), ...errorResponses },
    }),
    async (c) => c.json({ taskRuns: await createTaskRunsBatch({ pool: c.get("db").$client, ...reporter(c), input: c.req.valid("json") }) }, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/task-runs/states",
      summary: "Report task run states in a batch, applied in order in one transaction",
      security: [{ bearer: [] }],
      middleware: [requireKeyOrRunToken, canReport] as const,
      request: jsonBody(taskRunStateReportBatchSchema),
      responses: { 200: json("One result per report, in order", taskRunStateResultsSchema), ...errorResponses },
    }),
    async (c) => c.json({ results: await reportTaskRunStates({ pool: c.get("db").$client, ...reporter(c), reports: c.req.valid("json").reports }) }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/flow-runs/{id}/task-runs",
      summary: "A flow run's task runs with their states and upstream ids (its graph)",
      security: [{ bearer: [] }],
      middleware: [requireKeyOrRunToken, canRead] as const,
      request: { params: z.object({ id: z.string() }), query: taskRunListQuerySchema },
      responses: { 200: json("Task runs in creation order", taskRunListSchema), ...errorResponses },
    }),
    async (c) => c.json(await listTaskRuns({ pool: c.get("db").$client, ...reporter(c), runId: c.req.valid("param").id, ...c.req.valid("query") }), 200),
  );
}
