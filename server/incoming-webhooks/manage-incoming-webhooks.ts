import "server-only";
import { randomBytes } from "node:crypto";
import { and, asc, desc, eq, lt, sql } from "drizzle-orm";
import type { z } from "zod";
import type {
  createIncomingWebhookSchema,
  IncomingWebhookRequestView,
  IncomingWebhookView,
  updateIncomingWebhookSchema,
} from "../../agent/protocol/incoming-webhooks";
import { isUuid } from "../../agent/protocol/storable";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import type { Db, Queryable } from "../db/client";
import { deployments, flowRuns, flows, incomingWebhookRequests, incomingWebhooks, type IncomingWebhook } from "../db/schema";
import { findDeploymentRow } from "../deployments/get-deployment";
import { validateParameterTemplate } from "../deployments/validate-parameters";
import { publicUrl } from "../env";
import { AppError } from "../errors";
import { checkParameterTemplate, ParameterTemplateError, templatedKeys } from "../runs/parameter-template";
import { generateWebhookSecret } from "../alerts/webhook-signature";
import { encryptSecret } from "../security/secret-box";

/** What a template may read: the request's parsed body, its headers (lower case) and its query string. */
export const WEBHOOK_TEMPLATE_ROOTS = ["body", "headers", "query"] as const;
export const REQUEST_LOG_KEPT = 500;

/** Who is asking: the URL is shown only to those who may write (it alone can start runs). */
export type Viewer = { canWrite: boolean };

type CreateInput = z.output<typeof createIncomingWebhookSchema>;
type UpdateInput = z.output<typeof updateIncomingWebhookSchema>;

export async function listIncomingWebhooks(db: Db, workspaceId: string, viewer: Viewer): Promise<IncomingWebhookView[]> {
  const rows = await selectViews(db).where(eq(incomingWebhooks.workspaceId, workspaceId)).orderBy(asc(incomingWebhooks.name));
  return rows.map((r) => view(r, viewer));
}

export async function getIncomingWebhook(db: Db, workspaceId: string, viewer: Viewer, id: string): Promise<IncomingWebhookView> {
  if (!isUuid(id)) throw notFound();
  const [row] = await selectViews(db).where(and(eq(incomingWebhooks.workspaceId, workspaceId), eq(incomingWebhooks.id, id)));
  if (!row) throw notFound();
  return view(row, viewer);
}

/** Creates an endpoint: a fresh URL, and a signing secret when a scheme needs one (returned here only). */
export async function createIncomingWebhook(db: Db, workspaceId: string, actor: Actor, input: CreateInput) {
  const template = await checkTemplateFor(db, workspaceId, input.deploymentId, input.parameterTemplate);
  if (input.secret && input.signatureScheme === "none") throw noSchemeForSecret();
  const made = input.signatureScheme === "none" || input.secret ? null : generateWebhookSecret();
  const sealed = input.secret ?? made;
  const id = await db.transaction(async (tx) => {
    await assertNameFree(tx, workspaceId, input.name, null);
    const [row] = await tx
      .insert(incomingWebhooks)
      .values({
        workspaceId,
        deploymentId: input.deploymentId,
        name: input.name,
        token: newToken(),
        signatureScheme: input.signatureScheme,
        sealedSecret: sealed ? encryptSecret(sealed) : null,
        parameterTemplate: template,
        rateLimitPerMinute: input.rateLimitPerMinute,
        createdBy: actor.label,
      })
      .returning({ id: incomingWebhooks.id });
    await recordAuditEvent(tx, workspaceId, actor, { action: "incoming_webhook.created", targetType: "incoming_webhook", targetId: row.id, targetLabel: input.name, details: { signatureScheme: input.signatureScheme } });
    return row.id;
  });
  return { incomingWebhook: await getIncomingWebhook(db, workspaceId, { canWrite: true }, id), secret: made };
}

/**
 * Changes an endpoint. A template is checked against the (new) deployment's schema; a change of
 * signature scheme to github or stripe makes a new secret, returned in this answer only.
 */
export async function updateIncomingWebhook(db: Db, workspaceId: string, actor: Actor, id: string, input: UpdateInput) {
  const current = await findRow(db, workspaceId, id);
  const deploymentId = input.deploymentId ?? current.deploymentId;
  const template = input.parameterTemplate !== undefined || input.deploymentId !== undefined
    ? await checkTemplateFor(db, workspaceId, deploymentId, input.parameterTemplate ?? current.parameterTemplate)
    : undefined;
  const scheme = input.signatureScheme ?? current.signatureScheme;
  if (input.secret && scheme === "none") throw noSchemeForSecret();
  const secret = scheme !== "none" && scheme !== current.signatureScheme && !input.secret ? generateWebhookSecret() : null;
  const sealed = input.secret ?? secret;
  await db.transaction(async (tx) => {
    if (input.name !== undefined) await assertNameFree(tx, workspaceId, input.name, id);
    await tx
      .update(incomingWebhooks)
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        deploymentId,
        ...(template ? { parameterTemplate: template } : {}),
        signatureScheme: scheme,
        ...(scheme === "none" ? { sealedSecret: null } : sealed ? { sealedSecret: encryptSecret(sealed) } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
        ...(input.rateLimitPerMinute !== undefined ? { rateLimitPerMinute: input.rateLimitPerMinute } : {}),
        updatedAt: sql`now()`,
      })
      .where(and(eq(incomingWebhooks.workspaceId, workspaceId), eq(incomingWebhooks.id, id)));
    // The names of what changed; never the secret's value.
    const changed = Object.keys(input).filter((k) => input[k as keyof UpdateInput] !== undefined);
    await recordAuditEvent(tx, workspaceId, actor, { action: "incoming_webhook.changed", targetType: "incoming_webhook", targetId: id, targetLabel: input.name ?? current.name, details: { changed } });
  });
  return { incomingWebhook: await getIncomingWebhook(db, workspaceId, { canWrite: true }, id), secret };
}

/** A new URL (the old one answers 404 at once) and, with a signature scheme, a new secret. */
export async function rotateIncomingWebhook(db: Db, workspaceId: string, actor: Actor, id: string) {
  const current = await findRow(db, workspaceId, id);
  const secret = current.signatureScheme === "none" ? null : generateWebhookSecret();
  await db.transaction(async (tx) => {
    await tx
      .update(incomingWebhooks)
      .set({ token: newToken(), ...(secret ? { sealedSecret: encryptSecret(secret) } : {}), updatedAt: sql`now()` })
      .where(and(eq(incomingWebhooks.workspaceId, workspaceId), eq(incomingWebhooks.id, id)));
    await recordAuditEvent(tx, workspaceId, actor, { action: "incoming_webhook.rotated", targetType: "incoming_webhook", targetId: id, targetLabel: current.name });
  });
  return { incomingWebhook: await getIncomingWebhook(db, workspaceId, { canWrite: true }, id), secret };
}

export async function deleteIncomingWebhook(db: Db, workspaceId: string, actor: Actor, id: string): Promise<void> {
  if (!isUuid(id)) throw notFound();
  await db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(incomingWebhooks)
      .where(and(eq(incomingWebhooks.workspaceId, workspaceId), eq(incomingWebhooks.id, id)))
      .returning({ id: incomingWebhooks.id, name: incomingWebhooks.name });
    if (!gone) throw notFound();
    await recordAuditEvent(tx, workspaceId, actor, { action: "incoming_webhook.deleted", targetType: "incoming_webhook", targetId: gone.id, targetLabel: gone.name });
  });
}

/** The endpoint's request log, newest first, by cursor (the last request id of the previous page). */
export async function listWebhookRequests(db: Db, workspaceId: string, id: string, page: { cursor?: string; limit: number }) {
  await findRow(db, workspaceId, id);
  const rows = await db
    .select({ r: incomingWebhookRequests, liveRunId: flowRuns.id })
    .from(incomingWebhookRequests)
    .leftJoin(flowRuns, and(eq(flowRuns.workspaceId, workspaceId), eq(flowRuns.id, incomingWebhookRequests.runId)))
    .where(and(eq(incomingWebhookRequests.workspaceId, workspaceId), eq(incomingWebhookRequests.endpointId, id), page.cursor ? lt(incomingWebhookRequests.id, page.cursor) : undefined))
    .orderBy(desc(incomingWebhookRequests.id))
    .limit(page.limit + 1);
  const more = rows.length > page.limit;
  const requests: IncomingWebhookRequestView[] = rows.slice(0, page.limit).map(({ r, liveRunId }) => ({
    id: r.id,
    receivedAt: r.receivedAt.toISOString(),
    headers: r.headers,
    query: r.query,
    body: r.body,
    bodyBytes: r.bodyBytes,
    bodyTruncated: Buffer.byteLength(r.body) < r.bodyBytes,
    deliveryId: r.deliveryId,
    outcome: r.outcome,
    status: r.status,
    message: r.message,
    runId: liveRunId,
  }));
  return { requests, nextCursor: more ? requests[requests.length - 1].id : null };
}

/** The template checked for its syntax and against the deployment's schema (422 naming the field). */
async function checkTemplateFor(db: Db, workspaceId: string, deploymentId: string, raw: unknown) {
  const d = await findDeploymentRow(db, workspaceId, deploymentId);
  try {
    const template = checkParameterTemplate(raw, WEBHOOK_TEMPLATE_ROOTS);
    validateParameterTemplate(d.parameterSchema, d.parameters, template, templatedKeys(template));
    return template;
  } catch (err) {
    if (err instanceof ParameterTemplateError) {
      throw new AppError("UNPROCESSABLE", err.message, { fieldErrors: { [err.field ? `parameterTemplate.${err.field}` : "parameterTemplate"]: [err.message] } });
    }
    throw err;
  }
}

async function assertNameFree(tx: Queryable, workspaceId: string, name: string, exceptId: string | null) {
  const [taken] = await tx.select({ id: incomingWebhooks.id }).from(incomingWebhooks).where(and(eq(incomingWebhooks.workspaceId, workspaceId), eq(incomingWebhooks.name, name)));
  if (taken && taken.id !== exceptId) throw new AppError("CONFLICT", `An incoming webhook named "${name}" already exists in this workspace; pick another name.`, { fieldErrors: { name: ["is taken"] } });
}

async function findRow(db: Db, workspaceId: string, id: string): Promise<IncomingWebhook> {
  if (!isUuid(id)) throw notFound();
  const [row] = await db.select().from(incomingWebhooks).where(and(eq(incomingWebhooks.workspaceId, workspaceId), eq(incomingWebhooks.id, id)));
  if (!row) throw notFound();
  return row;
}

/** 24 random bytes, base64url: the URL's only credential when there is no signature. */
function newToken() {
  return randomBytes(24).toString("base64url");
}

export function hookPath(token: string) {
  return `/hooks/${token}`;
}

function selectViews(db: Db) {
  return db
    .select({
      row: incomingWebhooks,
      deploymentName: deployments.name,
      flowName: flows.name,
      lastRequestAt: sql<Date | null>`(select max(r.received_at) from incoming_webhook_requests r where r.endpoint_id = ${incomingWebhooks.id})`.mapWith((v: string | null) => (v ? new Date(v) : null)),
    })
    .from(incomingWebhooks)
    .innerJoin(deployments, eq(deployments.id, incomingWebhooks.deploymentId))
    .innerJoin(flows, eq(flows.id, deployments.flowId))
    .$dynamic();
}

function view(r: { row: IncomingWebhook; deploymentName: string; flowName: string; lastRequestAt: Date | null }, viewer: Viewer): IncomingWebhookView {
  const w = r.row;
  return {
    id: w.id,
    name: w.name,
    deploymentId: w.deploymentId,
    deploymentName: r.deploymentName,
    flowName: r.flowName,
    url: viewer.canWrite ? publicUrl() + hookPath(w.token) : null,
    signatureScheme: w.signatureScheme,
    parameterTemplate: w.parameterTemplate,
    enabled: w.enabled,
    rateLimitPerMinute: w.rateLimitPerMinute,
    createdBy: w.createdBy,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
    lastRequestAt: r.lastRequestAt ? r.lastRequestAt.toISOString() : null,
  };
}

function noSchemeForSecret() {
  return new AppError("UNPROCESSABLE", "A signing secret needs a signature scheme: pick github or stripe, or leave the secret out.", { fieldErrors: { secret: ["needs a signature scheme"] } });
}

function notFound() {
  return new AppError("NOT_FOUND", "Incoming webhook not found in this workspace. List them on the Incoming webhooks page or GET /api/v1/incoming-webhooks.");
}
