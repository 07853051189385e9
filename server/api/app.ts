import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import { z } from "zod";
import type { Db } from "../db/client";
import type { ApiEnv } from "./authenticate";
import { errorBody, handleApiError } from "./errors";
import type { DispatchListener } from "../dispatch/dispatch-listener";
import { registerAgents } from "./routes/agents";
import { registerArtifacts } from "./routes/artifacts";
import { registerAutomations } from "./routes/automations";
import { registerCache } from "./routes/cache";
import { registerDeployments } from "./routes/deployments";
import { registerDeviceAuth } from "./routes/device-auth";
import { registerFlowRuns } from "./routes/flow-runs";
import { registerFlows } from "./routes/flows";
import { registerLogs } from "./routes/logs";
import { registerMe } from "./routes/me";
import { registerTaskRuns } from "./routes/task-runs";
import { registerWorkPools } from "./routes/work-pools";

const MAX_BODY_BYTES = 1024 * 1024;

/** The /api/v1 lean layer: API-key auth, zod validation from agent/protocol, JSON errors. */
export function createApiApp(getDb: () => Db, listener: DispatchListener | null = null) {
  const app = new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return c.json(errorBody("validation_failed", "The request is not valid; see details for each field.", z.flattenError(result.error as z.ZodError)), 422);
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
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => {
      // The unread rest of the body makes the connection unusable: tell keep-alive clients.
      c.header("Connection", "close");
      return c.json(errorBody("payload_too_large", "The request body is over 1 MiB. Send it in smaller batches."), 413);
    },
  });
  // Requests without a body (GET, DELETE) skip the limiter: rebuilding them fails under node-server.
  app.use("*", (c, next) => {
    const hasBody = c.req.header("transfer-encoding") !== undefined || Number(c.req.header("content-length") ?? 0) > 0;
    return hasBody ? limitBody(c, next) : next();
  });

  registerMe(app);
  registerDeviceAuth(app);
  registerFlows(app);
  registerDeployments(app);
  registerFlowRuns(app);
  registerWorkPools(app);
  registerAgents(app);
  registerTaskRuns(app);
  registerLogs(app);
  registerAutomations(app);
  registerArtifacts(app);
  registerCache(app);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer", description: "A Baton API key (bt_…)" });
  app.doc31("/openapi.json", { openapi: "3.1.0", info: { title: "Baton API", version: "1" } });
  app.notFound((c) => c.json(errorBody("not_found", `No API route ${c.req.method} ${c.req.path}. See /api/v1/openapi.json.`), 404));
  app.onError(handleApiError);
  return app;
}
