import http from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { afterAll } from "vitest";
import { createApiApp } from "../../server/api/app";
import type { Db } from "../../server/db/client";
import { DispatchListener } from "../../server/dispatch/dispatch-listener";
import { createHooksApp } from "../../server/incoming-webhooks/hooks-app";

/**
 * The real /api/v1 Hono app over real HTTP on a random port, backed by the test's database, with
 * the LISTEN connection that wakes long-polling claims (as the server has), and the public
 * `POST /hooks/{token}` of incoming webhooks.
 */
export async function startApiServer(db: Db) {
  const listener = new DispatchListener((db.$client as unknown as { options: { connectionString: string } }).options.connectionString);
  await listener.start();
  const app = createApiApp(() => db, listener);
  const api = getRequestListener(app.fetch, { overrideGlobalObjects: false });
  // The public POST /hooks/{token} of incoming webhooks, routed beside /api/v1 as server/http/handle-request.ts does.
  const hooks = getRequestListener(createHooksApp(() => db).fetch, { overrideGlobalObjects: false });
  const server = http.createServer((req, res) => ((req.url ?? "").startsWith("/hooks/") ? hooks(req, res) : api(req, res)));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  afterAll(async () => {
    await listener.stop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return {
    app,
    base,
    async call(method: string, path: string, opts: { key?: string; body?: unknown } = {}) {
      const res = await fetch(base + path, {
        method,
        headers: { ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}), ...(opts.body ? { "content-type": "application/json" } : {}) },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
      return { status: res.status, json: json as Record<string, any>, headers: res.headers };
    },
  };
}
