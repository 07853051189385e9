import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { apiErrorSchema, logBatchResultSchema, logBatchSchema, logPageSchema, logQuerySchema } from "../../../agent/protocol";
import { listLogs } from "../../logs/list-logs";
import { writeLogs } from "../../logs/write-logs";
import { requireKeyOrRunToken, type ApiEnv } from "../authenticate";
import { canRead, canReport, reporter } from "../report-access";
import { errorResponses, json, jsonBody } from "../openapi-helpers";

export function registerLogs(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "post",
      path: "/logs",
      summary: "Send a batch of log lines (each stored once, however often re-sent)",
      security: [{ bearer: [] }],
      middleware: [requireKeyOrRunToken, canReport] as const,
      request: jsonBody(logBatchSchema),
      responses: {
        200: json("How many lines were new and how many were already stored", logBatchResultSchema),
        413: json("The batch is over 1 MiB; nothing was stored", apiErrorSchema),
        ...errorResponses,
      },
    }),
    async (c) => c.json(await writeLogs({ pool: c.get("db").$client, ...reporter(c), lines: c.req.valid("json").logs }), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/flow-runs/{id}/logs",
      summary: "A flow run's log lines in order; poll with nextCursor to tail",
      security: [{ bearer: [] }],
      middleware: [requireKeyOrRunToken, canRead] as const,
      request: { params: z.object({ id: z.string() }), query: logQuerySchema },
      responses: { 200: json("A page of lines and the cursor to continue from", logPageSchema), ...errorResponses },
    }),
    async (c) => c.json(await listLogs({ pool: c.get("db").$client, ...reporter(c), runId: c.req.valid("param").id, ...c.req.valid("query") }), 200),
  );
}
