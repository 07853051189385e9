import http from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { afterAll } from "vitest";
import { createApiApp } from "../../server/api/app";
import type { Db } from "../../server/db/client";

/** The real /api/v1 Hono app over real HTTP on a random port, backed by the test's database. */
export async function startApiServer(db: Db) {
  const app = createApiApp(() => db);
  const server = http.createServer(getRequestListener(app.fetch, { overrideGlobalObjects: false }));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
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
