import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { cacheEntrySchema, cacheKeyParamSchema, cachePutSchema } from "../../../agent/protocol";
import { readCacheEntry } from "../../cache/read-cache-entry";
import { writeCacheEntry } from "../../cache/write-cache-entry";
import { requireKeyOrRunToken, type ApiEnv } from "../authenticate";
import { canRead, canReport, reporter } from "../report-access";
import { errorResponses, json, jsonBody } from "../openapi-helpers";

export function registerCache(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/cache/{key}",
      summary: "Look up a cached task result (404 when missing or expired)",
      security: [{ bearer: [] }],
      middleware: [requireKeyOrRunToken, canRead] as const,
      request: { params: cacheKeyParamSchema },
      responses: { 200: json("The entry", cacheEntrySchema), ...errorResponses },
    }),
    async (c) => c.json(await readCacheEntry({ pool: c.get("db").$client, workspaceId: reporter(c).workspaceId, key: c.req.valid("param").key }), 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/cache/{key}",
      summary: "Store a task result under a key (replaces what was there)",
      security: [{ bearer: [] }],
      middleware: [requireKeyOrRunToken, canReport] as const,
      request: { params: cacheKeyParamSchema, ...jsonBody(cachePutSchema) },
      responses: { 200: json("The stored entry", cacheEntrySchema), ...errorResponses },
    }),
    async (c) => {
      const { value, expiresAt } = c.req.valid("json");
      return c.json(await writeCacheEntry({ pool: c.get("db").$client, workspaceId: reporter(c).workspaceId, key: c.req.valid("param").key, value, expiresAt: expiresAt ?? null }), 200);
    },
  );
}
