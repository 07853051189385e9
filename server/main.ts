import http from "node:http";
import { getRequestListener } from "@hono/node-server";
import next from "next";
import { createApiApp } from "./api/app";
import { prepareDatabase } from "./boot/prepare-database";
import { getDb } from "./db/client";
import { DispatchListener } from "./dispatch/dispatch-listener";
import { billingEnabled } from "./billing/plans";
import { devMailboxHostnames, env, listenHost, publicUrl, reloadEnv } from "./env";
import { respondHealth } from "./http/health";
import { createRequestHandler } from "./http/handle-request";
import { startBackgroundServices } from "./services/background-services";
import { startHearingBeacon } from "./orchestration/hearing";
import { createHooksApp } from "./incoming-webhooks/hooks-app";

async function main() {
  const initial = env();
  // Auth.js reads these itself: we serve it behind our own server on whatever host the user opens.
  process.env.AUTH_TRUST_HOST ??= "true";
  const { url, embedded } = await prepareDatabase(initial);
  const e = reloadEnv();
  const dev = e.NODE_ENV !== "production";

  const nextApp = next({ dev, hostname: "localhost", port: e.PORT });
  await nextApp.prepare();
  const nextHandler = nextApp.getRequestHandler();
  const listener = new DispatchListener(url);
  await listener.start();
  const api = getRequestListener(createApiApp(getDb, listener).fetch, { overrideGlobalObjects: false });
  const hooks = getRequestListener(createHooksApp(getDb).fetch, { overrideGlobalObjects: false });

  const server = http.createServer(
    createRequestHandler({
      api: (req, res) => api(req, res),
      hooks: (req, res) => hooks(req, res),
      health: (_req, res) => respondHealth(getDb(), res),
      next: (req, res) => nextHandler(req, res),
      trustProxy: e.BATON_TRUST_PROXY,
      billing: billingEnabled(),
      allowedHostnames: devMailboxHostnames(),
      dev,
      https: publicUrl().startsWith("https://"),
    }),
  );
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;

  const services = e.BATON_SERVICES === "on" ? startBackgroundServices(getDb(), url) : null;
  await new Promise<void>((resolve) => server.listen(e.PORT, listenHost(), resolve));
  // After listen: a stretch of hearing starts only once agents can reach this instance.
  const hearing = startHearingBeacon(getDb().$client);
  console.log(`[baton] ready on ${publicUrl()} (${dev ? "development" : "production"}${embedded ? ", embedded Postgres" : ""})`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[baton] ${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    server.close();
    server.closeIdleConnections();
    await services?.stop();
    hearing.stop();
    await listener.stop();
    await getDb().$client.end().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err) => {
  console.error(`[baton] failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
