import "server-only";
import { and, desc, eq, lte, sql } from "drizzle-orm";
import { findUnstorable } from "../../agent/protocol/storable";
import type { WebhookRequestOutcome } from "../db/schema";
import { incomingWebhookRequests, incomingWebhooks, type IncomingWebhook } from "../db/schema";
import type { Db } from "../db/client";
import { uuidv7 } from "../db/uuidv7";
import { AppError, HTTP_STATUS } from "../errors";
import { createDeploymentRun } from "../runs/create-run";
import { ParameterTemplateError, renderParameterTemplate } from "../runs/parameter-template";
import { decryptSecret } from "../security/secret-box";
import { REQUEST_LOG_KEPT } from "./manage-incoming-webhooks";
import { verifyGithubSignature, verifyStripeSignature } from "./verify-signature";

/** Bodies over this are refused (413): a webhook names what changed, it does not carry the data. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;
/** How much of a body the request log keeps. */
export const LOGGED_BODY_BYTES = 8 * 1024;
const MAX_DELIVERY_ID_LENGTH = 150;

/** Credentials and signatures: logged as [redacted] and kept out of what a template can read. */
const REDACTED_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-hub-signature", "x-hub-signature-256", "stripe-signature"]);

export type IncomingCall = {
  token: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  query: Record<string, string>;
  /** The raw body, or null when it was over MAX_WEBHOOK_BODY_BYTES (and not read further). */
  body: Buffer | null;
  bodyBytes: number;
};

export type CallAnswer = { status: number; json: unknown; headers?: Record<string, string> };

/**
 * One call of `POST /hooks/{token}`: checks it in the order a sender can act on (disabled, rate,
 * size, signature, body, template, parameters), starts the run with the webhook as its origin and
 * logs the call with its outcome. A repeated delivery id answers the first run and starts nothing.
 */
export async function receiveWebhook(db: Db, call: IncomingCall): Promise<CallAnswer> {
  const endpoint = await countCall(db, call.token);
  if (!endpoint) return error(404, "not_found", "No webhook endpoint at this URL. It may have been rotated or deleted: copy the current URL from the endpoint's page in Baton.");
  const requestId = uuidv7();
  const log = (outcome: WebhookRequestOutcome, answer: CallAnswer, extra: { message?: string; runId?: string; deliveryId?: string | null } = {}) =>
    logCall(db, endpoint, requestId, call, outcome, answer, extra).then(() => answer);

  if (!endpoint.enabled) {
    return log("disabled", error(409, "endpoint_disabled", `The webhook endpoint "${endpoint.name}" is disabled in Baton; enable it on its page to start runs again.`));
  }
  if (endpoint.rateWindowCount > endpoint.rateLimitPerMinute) {
    const retryAfter = Math.max(1, Math.ceil((endpoint.rateWindowStart!.getTime() + 60_000 - Date.now()) / 1000));
    const answer = error(429, "rate_limited", `The webhook endpoint "${endpoint.name}" takes ${endpoint.rateLimitPerMinute} calls a minute; retry in ${retryAfter} s.`);
    return log("rate_limited", { ...answer, headers: { "Retry-After": String(retryAfter) } });
  }
  if (call.body === null) {
    return log("refused_body", error(413, "payload_too_large", `The body is ${call.bodyBytes.toLocaleString("en-US")} bytes; a webhook body is at most ${MAX_WEBHOOK_BODY_BYTES / 1024} KiB. Send a reference (an id or a URL), not the data.`));
  }
  const signature = checkSignature(endpoint, call.headers, call.body);
  if (!signature.ok) return log("refused_signature", error(401, "invalid_signature", signature.reason));

  const parsed = parseBody(call.headers["content-type"] ?? "", call.body);
  if ("error" in parsed) return log("refused_body", error(400, "invalid_body", parsed.error));
  const unstorable = findUnstorable(parsed.body);
  if (unstorable) return log("refused_body", error(400, "invalid_body", `The body's ${unstorable.path || "value"} ${unstorable.problem}.`));
  const deliveryId = deliveryIdOf(endpoint, call.headers, parsed.body);
  if (deliveryId && deliveryId.length > MAX_DELIVERY_ID_LENGTH) {
    return log("refused_body", error(400, "invalid_delivery_id", `The delivery id is over ${MAX_DELIVERY_ID_LENGTH} characters.`));
  }

  let parameters: Record<string, unknown>;
  try {
    parameters = renderParameterTemplate(endpoint.parameterTemplate, { body: parsed.body, headers: templateHeaders(call.headers), query: call.query });
  } catch (err) {
    if (!(err instanceof ParameterTemplateError)) throw err;
    const message = `The parameter template could not be filled from this request: ${err.message} No run was started.`;
    return log("refused_template", error(422, "template_failed", message), { message, deliveryId });
  }

  try {
    const { run, created } = await createDeploymentRun(
      db,
      endpoint.workspaceId,
      { userId: null, label: `webhook:${endpoint.name}` },
      endpoint.deploymentId,
      { parameters, ...(deliveryId ? { idempotencyKey: `hook:${endpoint.id}:${deliveryId}` } : {}) },
      { origin: { kind: "webhook", endpointId: endpoint.id, endpointName: endpoint.name, requestId } },
    );
    return log(created ? "run_created" : "duplicate", { status: 202, json: { runId: run.id, created, requestId } }, { runId: run.id, deliveryId });
  } catch (err) {
    if (!(err instanceof AppError)) {
      await logCall(db, endpoint, requestId, call, "failed", { status: 500, json: null }, { message: "An unexpected error on Baton's side; it has been logged.", deliveryId });
      throw err;
    }
    const outcome = err.code === "UNPROCESSABLE" ? "refused_parameters" : "failed";
    return log(outcome, { status: HTTP_STATUS[err.code], json: { error: { code: err.code.toLowerCase(), message: err.message, ...(err.details ? { details: err.details } : {}) } } }, { message: err.message, deliveryId });
  }
}

/**
 * Finds the endpoint by its token and counts the call in its rate window, in one UPDATE: the
 * count lives in Postgres, so the limit holds however many app instances take calls. The window
 * starts at the first call after the previous one ended and lasts a minute.
 */
async function countCall(db: Db, token: string): Promise<IncomingWebhook | null> {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) return null;
  const live = sql`${incomingWebhooks.rateWindowStart} > now() - interval '1 minute'`;
  const [row] = await db
    .update(incomingWebhooks)
    .set({
      rateWindowStart: sql`case when ${live} then ${incomingWebhooks.rateWindowStart} else now() end`,
      rateWindowCount: sql`case when ${live} then ${incomingWebhooks.rateWindowCount} + 1 else 1 end`,
    })
    .where(eq(incomingWebhooks.token, token))
    .returning();
  return row ?? null;
}

function checkSignature(endpoint: IncomingWebhook, headers: Record<string, string>, body: Buffer) {
  if (endpoint.signatureScheme === "none" || !endpoint.sealedSecret) return { ok: true } as const;
  const secret = decryptSecret(endpoint.sealedSecret);
  return endpoint.signatureScheme === "github" ? verifyGithubSignature(secret, headers["x-hub-signature-256"], body) : verifyStripeSignature(secret, headers["stripe-signature"], body);
}

/**
 * JSON bodies are parsed; form bodies become an object of their fields (GitHub's form mode sends
 * the JSON event in a `payload` field: that JSON is the body); anything else is the body as text.
 * An empty body is an empty object.
 */
function parseBody(contentType: string, raw: Buffer): { body: unknown } | { error: string } {
  const type = contentType.split(";")[0].trim().toLowerCase();
  const text = raw.toString("utf8");
  if (raw.length === 0) return { body: {} };
  if (type === "application/json" || type.endsWith("+json")) {
    try {
      return { body: JSON.parse(text) };
    } catch {
      return { error: "The body is sent as application/json but is not valid JSON." };
    }
  }
  if (type === "application/x-www-form-urlencoded") {
    const form = Object.fromEntries(new URLSearchParams(text));
    if (Object.keys(form).length === 1 && typeof form.payload === "string") {
      try {
        return { body: JSON.parse(form.payload) };
      } catch {
        return { body: form };
      }
    }
    return { body: form };
  }
  return { body: text };
}

/**
 * The delivery id that makes a retry idempotent: `Idempotency-Key`, else GitHub's
 * `X-GitHub-Delivery`, else (Stripe scheme) the event's `id` in the body, which Stripe keeps across
 * its retries.
 */
function deliveryIdOf(endpoint: IncomingWebhook, headers: Record<string, string>, body: unknown): string | null {
  const header = headers["idempotency-key"] ?? headers["x-github-delivery"];
  if (header) return header.trim() || null;
  if (endpoint.signatureScheme === "stripe" && body && typeof body === "object" && typeof (body as { id?: unknown }).id === "string") return (body as { id: string }).id;
  return null;
}

function templateHeaders(headers: Record<string, string>) {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !REDACTED_HEADERS.has(k)));
}

async function logCall(
  db: Db,
  endpoint: IncomingWebhook,
  id: string,
  call: IncomingCall,
  outcome: WebhookRequestOutcome,
  answer: CallAnswer,
  extra: { message?: string; runId?: string; deliveryId?: string | null },
) {
  const json = answer.json as { error?: { message?: string } } | null;
  await db.insert(incomingWebhookRequests).values({
    id,
    workspaceId: endpoint.workspaceId,
    endpointId: endpoint.id,
    headers: Object.fromEntries(Object.entries(call.headers).map(([k, v]) => [k, REDACTED_HEADERS.has(k) ? "[redacted]" : storable(v)])),
    query: Object.fromEntries(Object.entries(call.query).map(([k, v]) => [storable(k), storable(v)])),
    body: call.body ? storable(truncateUtf8(call.body, LOGGED_BODY_BYTES)) : "",
    bodyBytes: call.bodyBytes,
    deliveryId: extra.deliveryId?.slice(0, MAX_DELIVERY_ID_LENGTH) ?? null,
    outcome,
    status: answer.status,
    message: extra.message ?? json?.error?.message ?? null,
    runId: extra.runId ?? null,
  });
  await pruneLog(db, endpoint.id);
}

/** Keeps the newest REQUEST_LOG_KEPT requests of the endpoint (ids are v7: newest sort last). */
async function pruneLog(db: Db, endpointId: string) {
  const [oldest] = await db
    .select({ id: incomingWebhookRequests.id })
    .from(incomingWebhookRequests)
    .where(eq(incomingWebhookRequests.endpointId, endpointId))
    .orderBy(desc(incomingWebhookRequests.id))
    .offset(REQUEST_LOG_KEPT)
    .limit(1);
  if (oldest) await db.delete(incomingWebhookRequests).where(and(eq(incomingWebhookRequests.endpointId, endpointId), lte(incomingWebhookRequests.id, oldest.id)));
}

function truncateUtf8(raw: Buffer, max: number): string {
  if (raw.length <= max) return raw.toString("utf8");
  // Cut on a character boundary: a half character would show as U+FFFD and could not be stored as-is.
  let end = max;
  while (end > 0 && (raw[end] & 0xc0) === 0x80) end--;
  return raw.subarray(0, end).toString("utf8");
}

/** Postgres text cannot hold U+0000: the log shows it as U+FFFD. */
function storable(s: string) {
  return s.replaceAll("\u0000", "\uFFFD");
}

function error(status: number, code: string, message: string): CallAnswer {
  return { status, json: { error: { code, message } } };
}
