import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, Next } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { z } from "zod";
import type { Db } from "../db/client";
import type { ApiEnv } from "./authenticate";
import { errorBody, handleApiError, validationDetails } from "./errors";
import { refuseUnstorableInput } from "./storable-input";
import type { DispatchListener } from "../dispatch/dispatch-listener";
import { declaredOverLimit, LimitedBody, MAX_BODY_BYTES, tooLargeError } from "../http/body-limit";
import { registerAgents } from "./routes/agents";
import { registerArtifacts } from "./routes/artifacts";
import { registerAutomations } from "./routes/automations";
import { registerCache } from "./routes/cache";
import { registerChildRuns } from "./routes/child-runs";
import { registerConcurrencyLimits } from "./routes/concurrency-limits";
import { registerDeployments } from "./routes/deployments";
import { registerDeviceAuth } from "./routes/device-auth";
import { registerFlowRuns } from "./routes/flow-runs";
import { registerFlowRunPauses } from "./routes/flow-run-pauses";
import { registerFlows } from "./routes/flows";
import { registerIncomingWebhooks } from "./routes/incoming-webhooks";
import { registerLogs } from "./routes/logs";
import { registerMe } from "./routes/me";
import { registerSecrets } from "./routes/secrets";
import { registerTaskRuns } from "./routes/task-runs";
import { registerVariables } from "./routes/variables";
import { registerWorkPools } from "./routes/work-pools";

/** The /api/v1 lean layer: API-key auth, zod validation from agent/protocol, JSON errors. */
export function createApiApp(getDb: () => Db, listener: DispatchListener | null = null) {
  const app = new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return c.json(errorBody("validation_failed", "The request is not valid; see details for each field.", validationDetails(result.error as z.ZodError)), 422);
      }
    },
  }).basePath("/api/v1");

  app.use("*", secureHeaders({ crossOriginResourcePolicy: false }));
  app.use("*", async (c, next) => {
    c.set("db", getDb());
    c.set("listener", listener);
    c.header("Cache-Control", "no-store");
    await next();
  });
  // A body with a Content-Length is checked by its header alone (Node's parser never reads past
  // it), so the request is not rebuilt as a stream: that rebuild cost agents' hot calls ~0.3 ms of
  // CPU each. A chunked body is counted as it arrives. Requests without a body pass.
  app.use("*", async (c, next) => {
    if (c.req.header("transfer-encoding") !== undefined) return limitChunkedBody(c, next);
    return declaredOverLimit(c.req.header("content-length"), MAX_BODY_BYTES) ? tooLarge(c) : next();
  });
  app.use("*", refuseUnstorableInput);

  registerMe(app);
  registerDeviceAuth(app);
  registerFlows(app);
  registerDeployments(app);
  registerFlowRuns(app);
  registerChildRuns(app);
  registerFlowRunPauses(app);
  registerWorkPools(app);
  registerConcurrencyLimits(app);
  registerAgents(app);
  registerTaskRuns(app);
  registerLogs(app);
  registerAutomations(app);
  registerArtifacts(app);
  registerCache(app);
  registerSecrets(app);
  registerVariables(app);
  registerIncomingWebhooks(app);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer", description: "A Baton API key (bt_…)" });
  app.doc31("/openapi.json", { openapi: "3.1.0", info: { title: "Baton API", version: "1" } });
  app.notFound((c) => c.json(errorBody("not_found", `No API route ${c.req.method} ${c.req.path}. See /api/v1/openapi.json.`), 404));
  app.onError(handleApiError);
  return app;
}

function tooLarge(c: Context) {
  // The unread rest of the body makes the connection unusable: tell keep-alive clients.
  c.header("Connection", "close");
  return c.json(tooLargeError(MAX_BODY_BYTES), 413);
}

/** Reads a chunked body up to the limit, then hands the route a request that carries it whole. */
async function limitChunkedBody(c: Context, next: Next) {
  const reader = c.req.raw.body?.getReader();
  if (!reader) return next();
  const body = new LimitedBody(MAX_BODY_BYTES);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!body.add(value)) {
      void reader.cancel().catch(() => undefined);
      return tooLarge(c);
    }
  }
  const raw = c.req.raw;
  // A fresh Request from the URL: node-server's request object can't be the base of a new one.
  c.req.raw = new Request(raw.url, { method: raw.method, headers: raw.headers, body: body.bytes(), signal: raw.signal });
  return next();
}
