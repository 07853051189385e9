import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Db } from "../db/client";
import { errorBody, handleApiError } from "../api/errors";
import { declaredOverLimit, LimitedBody } from "../http/body-limit";
import { MAX_WEBHOOK_BODY_BYTES, receiveWebhook } from "./receive-webhook";

/**
 * The public receiving end of incoming webhooks, `POST /hooks/{token}`: no API key (the token in
 * the URL, and the endpoint's signature scheme, are the credentials). Served beside /api/v1 on
 * the same port (server/http/handle-request.ts), outside Next.
 */
export function createHooksApp(getDb: () => Db) {
  const app = new Hono();
  app.post("/hooks/:token", async (c) => {
    const { body, bodyBytes } = await readBody(c);
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    const query = Object.fromEntries(new URL(c.req.url).searchParams);
    const answer = await receiveWebhook(getDb(), { token: c.req.param("token"), headers, query, body, bodyBytes });
    c.header("Cache-Control", "no-store");
    for (const [k, v] of Object.entries(answer.headers ?? {})) c.header(k, v);
    // The unread rest of an oversized body makes the connection unusable: tell keep-alive clients.
    if (answer.status === 413) c.header("Connection", "close");
    return c.json(answer.json, answer.status as ContentfulStatusCode);
  });
  app.all("/hooks/:token", (c) => c.json(errorBody("method_not_allowed", "A webhook endpoint takes POST requests."), 405, { Allow: "POST" }));
  app.notFound((c) => c.json(errorBody("not_found", "No webhook endpoint at this URL. Copy the current URL from the endpoint's page in Baton."), 404));
  app.onError(handleApiError);
  return app;
}

/** The raw body up to the limit; over it, null (with its declared or counted size) and unread. */
async function readBody(c: Context): Promise<{ body: Buffer | null; bodyBytes: number }> {
  const declared = c.req.header("content-length");
  if (declaredOverLimit(declared, MAX_WEBHOOK_BODY_BYTES)) return { body: null, bodyBytes: Number(declared) };
  const reader = c.req.raw.body?.getReader();
  if (!reader) return { body: Buffer.alloc(0), bodyBytes: 0 };
  const body = new LimitedBody(MAX_WEBHOOK_BODY_BYTES);
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (!body.add(value)) {
      void reader.cancel().catch(() => undefined);
      return { body: null, bodyBytes: size };
    }
  }
  return { body: body.bytes(), bodyBytes: size };
}
