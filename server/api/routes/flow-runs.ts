import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import {
  createAdhocRunSchema,
  flowRunSchema,
  runListQuerySchema,
  runHeartbeatResponseSchema,
  runListSchema,
  sourceCommitReportSchema,
  stateReportBatchSchema,
  stateReportResultSchema,
  transitionResultSchema,
  userStateSchema,
} from "../../../agent/protocol/runs";
import { AppError } from "../../errors";
import { HEARTBEAT_SECONDS } from "../../../agent/protocol/leases";
import { cancelRun, reportStates, retryRun, toWire } from "../../runs/change-run-state";
import { createAdhocRun } from "../../runs/create-run";
import { renewRunLease } from "../../orchestration/renew-run-lease";
import { getRun } from "../../runs/load-runs";
import { recordSourceCommit } from "../../runs/record-source-commit";
import { getRunWithWaiting, listRunsWithWaiting } from "../../runs/with-waiting";
import { principalActor } from "../../api-keys/authenticate-api-key";
import { allowRoles, requireApiKey, requireKeyOrRunToken, type ApiEnv } from "../authenticate";
import { errorResponses, json, jsonBody } from "../openapi-helpers";

const idParam = { params: z.object({ id: z.string() }) };
const readers = allowRoles("owner", "developer", "runner", "viewer");
const runners = allowRoles("owner", "developer", "runner");

export function registerFlowRuns(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "post",
      path: "/flow-runs",
      summary: "Start an ad-hoc flow run (the SDK outside an agent)",
      middleware: [requireApiKey, allowRoles("owner", "developer")] as const,
      request: jsonBody(createAdhocRunSchema),
      responses: { 201: json("The run, RUNNING, with a run token for its reports", z.object({ run: flowRunSchema, runToken: z.string(), created: z.boolean() })), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await createAdhocRun(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("json")), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/flow-runs",
      summary: "List flow runs, newest first",
      middleware: [requireApiKey, readers] as const,
      request: { query: runListQuerySchema },
      responses: { 200: json("A page of runs and the cursor of the next", runListSchema), ...errorResponses },
    }),
    async (c) => c.json(await listRunsWithWaiting(c.get("db"), c.get("principal").workspace.id, c.req.valid("query")), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/flow-runs/{id}",
      summary: "Get a flow run",
      description: "A SCHEDULED run carries `waiting`: what holds it back, from the conditions the claim uses.",
      middleware: [requireApiKey, readers] as const,
      request: idParam,
      responses: { 200: json("The run", flowRunSchema), ...errorResponses },
    }),
    async (c) => c.json(await getRunWithWaiting(c.get("db"), c.get("principal").workspace.id, c.req.valid("param").id), 200),
  );

  const personActions = {
    cancel: { summary: "Cancel a run (SCHEDULED/PENDING → CANCELLED, RUNNING → CANCELLING)", run: cancelRun },
    retry: { summary: "Retry a finished run as a new attempt", run: retryRun },
  };
  for (const [action, { summary, run }] of Object.entries(personActions)) {
    app.openapi(
      createRoute({
        method: "post",
        path: `/flow-runs/{id}/${action}`,
        summary,
        middleware: [requireApiKey, runners] as const,
        request: idParam,
        responses: { 200: json("The run", flowRunSchema), ...errorResponses },
      }),
      async (c) => {
        const p = c.get("principal");
        return c.json(await run(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("param").id), 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: "post",
      path: "/flow-runs/{id}/state",
      summary: "Propose a state for the run a run token belongs to (the SDK)",
      middleware: [requireKeyOrRunToken] as const,
      request: { ...idParam, ...jsonBody(userStateSchema) },
      responses: { 200: json("ACCEPT, REJECT or WAIT, with the current state", transitionResultSchema), ...errorResponses },
    }),
    async (c) => {
      const run = c.get("run");
      const runId = c.req.valid("param").id;
      if (!run) throw new AppError("FORBIDDEN", "Use a run token for this call; people cancel or retry runs with /cancel and /retry.");
      if (run.runId !== runId) throw new AppError("NOT_FOUND", "Flow run not found.");
      const body = c.req.valid("json");
      const db = c.get("db");
      const current = await getRun(db, run.workspaceId, runId);
      const by = current.deploymentId ? "agent" : "sdk";
      const [result] = await reportStates(db, run.workspaceId, [{ runId, state: body.state, transitionId: body.transitionId, by, fence: { attempt: run.attempt } }]);
      if (result.status === "NOT_FOUND") throw new AppError("NOT_FOUND", "Flow run not found.");
      if (result.status === "CONFLICT") throw new AppError("CONFLICT", result.reason, { state: result.state, attempt: result.attempt });
      return c.json(toWire(run.workspaceId, result, run.attempt), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/flow-runs/{id}/heartbeat",
      summary: "A run's own heartbeat, with its run token (ad-hoc runs of the SDKs): renews its lease; says whether to stop",
      description: `Send every ${HEARTBEAT_SECONDS} s while the run runs; a run whose lease expires is Crashed. No agent holds an ad-hoc run, so its process keeps its lease itself.`,
      middleware: [requireKeyOrRunToken] as const,
      request: idParam,
      responses: { 200: json("Whether the run was cancelled or lost", runHeartbeatResponseSchema), ...errorResponses },
    }),
    async (c) => {
      const run = c.get("run");
      if (!run) throw new AppError("FORBIDDEN", "Use the run's run token for its heartbeat; agents heartbeat with POST /agents/{id}/heartbeat.");
      if (run.runId !== c.req.valid("param").id) throw new AppError("NOT_FOUND", "Flow run not found.");
      return c.json(await renewRunLease(c.get("db"), run), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/flow-runs/{id}/source-commit",
      summary: "The commit of its deployment's git source a run runs, with the run's token (its agent, once it resolved the ref)",
      middleware: [requireKeyOrRunToken] as const,
      request: { ...idParam, ...jsonBody(sourceCommitReportSchema) },
      responses: { 200: json("Recorded (or already this commit)", z.object({ sourceCommit: z.string() })), ...errorResponses },
    }),
    async (c) => {
      const run = c.get("run");
      if (!run) throw new AppError("FORBIDDEN", "Use the run's run token: the agent running it records its commit.");
      if (run.runId !== c.req.valid("param").id) throw new AppError("NOT_FOUND", "Flow run not found.");
      return c.json(await recordSourceCommit(c.get("db"), run.workspaceId, run.runId, c.req.valid("json").commit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/flow-runs/states",
      summary: "Report states of claimed runs in a batch (agents)",
      description: "Each report carries its run's attempt and lease token; reports of an older attempt or a lost lease come back CONFLICT.",
      middleware: [requireApiKey, allowRoles("owner", "developer", "agent")] as const,
      request: jsonBody(stateReportBatchSchema),
      responses: { 200: json("One result per report, in order", stateReportResultSchema), ...errorResponses },
    }),
    async (c) => {
      const ws = c.get("principal").workspace.id;
      const reports = c.req.valid("json").reports;
      const results = await reportStates(
        c.get("db"),
        ws,
        reports.map((r) => ({ runId: r.runId, state: r.state, transitionId: r.transitionId, by: "agent" as const, fence: { attempt: r.attempt, leaseToken: r.leaseToken ?? "" } })),
      );
      return c.json({ results: results.map((r) => toWire(ws, r)) }, 200);
    },
  );
}
