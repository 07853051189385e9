import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import {
  taskRunCreateSchema,
  taskRunListQuerySchema,
  taskRunListSchema,
  taskRunSchema,
  taskRunStateReportBatchSchema,
  taskRunStateResultsSchema,
} from "../../../agent/protocol";
import { createTaskRun } from "../../task-runs/create-task-run";
import { listTaskRuns } from "../../task-runs/list-task-runs";
import { reportTaskRunStates } from "../../task-runs/report-task-run-states";
import { requireKeyOrRunToken, type ApiEnv } from "../authenticate";
import { canRead, canReport, jsonRequest, jsonResponse, reportErrors, reporter } from "../report-access";

export function registerTaskRuns(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "post",
      path: "/task-runs",
      summary: "Create a task run (the same task key and dynamic key again returns the existing one)",
      security: [{ bearer: [] }],
      middleware: [requireKeyOrRunToken, canReport] as const,
      request: jsonRequest(taskRunCreateSchema),
      responses: {
        200: jsonResponse("It already existed; returned unchanged", taskRunSchema),
        201: jsonResponse("Created", taskRunSchema),
        ...reportErrors,
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
      path: "/task-runs/states",
      summary: "Report task run states in a batch, applied in order in one transaction",
      security: [{ bearer: [] }],
      middleware: [requireKeyOrRunToken, canReport] as const,
      request: jsonRequest(taskRunStateReportBatchSchema),
      responses: { 200: jsonResponse("One result per report, in order", taskRunStateResultsSchema), ...reportErrors },
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
      responses: { 200: jsonResponse("Task runs in creation order", taskRunListSchema), ...reportErrors },
    }),
    async (c) => c.json(await listTaskRuns({ pool: c.get("db").$client, ...reporter(c), runId: c.req.valid("param").id, ...c.req.valid("query") }), 200),
  );
}
