import { createHmac } from "node:crypto";
import { expect } from "vitest";
import type { startApiServer } from "./api-server";

type Api = Awaited<ReturnType<typeof startApiServer>>;

/** Creates an endpoint through the API (owner or developer key); the endpoint, its path and its secret. */
export async function createEndpoint(api: Api, key: string, body: Record<string, unknown>) {
  const res = await api.call("POST", "/api/v1/incoming-webhooks", { key, body: { name: `hook-${Math.random().toString(36).slice(2, 8)}`, ...body } });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  const hook = res.json.incomingWebhook as { id: string; name: string; url: string };
  return { hook, path: new URL(hook.url).pathname, secret: res.json.secret as string | null };
}

/** What GitHub sends in X-Hub-Signature-256. */
export function githubSignature(secret: string, body: string | Buffer) {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** What Stripe sends in Stripe-Signature. */
export function stripeSignature(secret: string, body: string, t = Math.floor(Date.now() / 1000)) {
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
}

/** A call of the public endpoint as a sender makes it: raw body, its own headers, no API key. */
export async function callHook(base: string, path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  return { status: res.status, json: json as Record<string, any>, headers: res.headers };
}

/** The endpoint's request log, newest first, through the API. */
export async function requestLog(api: Api, key: string, id: string) {
  const res = await api.call("GET", `/api/v1/incoming-webhooks/${id}/requests`, { key });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json.requests as { outcome: string; status: number; message: string | null; runId: string | null; body: string; headers: Record<string, string>; deliveryId: string | null; bodyTruncated: boolean }[];
}
