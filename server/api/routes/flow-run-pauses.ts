import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { pauseRequestSchema, pauseSchema, resumeRequestSchema } from "../../../agent/protocol/pauses";
import { AppError } from "../../errors";
import { principalActor } from "../../api-keys/authenticate-api-key";
import { pauseRun, readPause } from "../../pauses/pause-run";
import { currentPause, resumeRun } from "../../pauses/resume-run";
import { allowRoles, requireApiKey, requireKeyOrRunToken, type ApiEnv } from "../authenticate";
import { errorResponses, json, jsonBody } from "../openapi-helpers";

const idParam = z.object({ id: z.string() });
const RUN_TOKEN_ONLY = "Use the run's run token: only the run's own process pauses it (pauseForInput / pause_flow_run).";

/** Pausing for a person's input (docs/states.md#paused): the SDK pauses and waits with its run token; people and API clients answer. */
export function registerFlowRunPauses(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "post",
      path: "/flow-runs/{id}/pause",
      summary: "Pause the run a run token belongs to until a person answers (the SDK)",
      description: "RUNNING → PAUSED. The process waits in place and keeps its lease (its agent keeps heartbeating); poll GET /flow-runs/{id}/pauses/{pauseId} for the answer.",
      middleware: [requireKeyOrRunToken] as const,
      request: { params: idParam, ...jsonBody(pauseRequestSchema) },
      responses: { 200: json("The pause, waiting", pauseSchema), ...errorResponses },
    }),
    async (c) => {
      const run = c.get("run");
      if (!run) throw new AppError("FORBIDDEN", RUN_TOKEN_ONLY);
      return c.json(await pauseRun(c.get("db"), run, c.req.valid("param").id, c.req.valid("json")), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/flow-runs/{id}/pauses/{pauseId}",
      summary: "Where a pause stands, with the input once a person answered (the SDK, with its run token)",
      description: "A pause past its timeout fails its run here (FAILED, TimedOut) and answers `timed_out`.",
      middleware: [requireKeyOrRunToken] as const,
      request: { params: z.object({ id: z.string(), pauseId: z.uuid() }) },
      responses: { 200: json("The pause", pauseSchema), ...errorResponses },
    }),
    async (c) => {
      const run = c.get("run");
      if (!run) throw new AppError("FORBIDDEN", "Use the run's run token; people read a run's pause with GET /flow-runs/{id}/pause.");
      const { id, pauseId } = c.req.valid("param");
      return c.json(await readPause(c.get("db"), run, id, pauseId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/flow-runs/{id}/pause",
      summary: "The run's current pause (what it asks, and the answer if given), or null",
      middleware: [requireApiKey, allowRoles("owner", "developer", "runner", "viewer")] as const,
      request: { params: idParam },
      responses: { 200: json("The pause, or null", pauseSchema.nullable()), ...errorResponses },
    }),
    async (c) => c.json(await currentPause(c.get("db"), c.get("principal").workspace.id, c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/flow-runs/{id}/resume",
      summary: "Answer a paused run with its input: PAUSED → RUNNING (runner, developer, owner)",
      description: "The input is validated against the pause's JSON Schema; a mismatch is a 422 with `details.fieldErrors`, and the run stays paused.",
      middleware: [requireApiKey, allowRoles("owner", "developer", "runner")] as const,
      request: { params: idParam, ...jsonBody(resumeRequestSchema) },
      responses: { 200: json("The answered pause", pauseSchema), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await resumeRun(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("param").id, c.req.valid("json").input), 200);
    },
  );
}
