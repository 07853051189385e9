import "server-only";
import { and, asc, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { ALERT_DELIVERY_STATUSES, ALERT_DESTINATION_KINDS, alertAttempts, alertDeliveries, alertDestinations, flowRuns } from "../db/schema";
import { AppError } from "../errors";
import { findAutomation } from "./manage-automations";

export const deliveriesInputSchema = z.object({
  automationId: z.uuid(),
  /** From the previous page's `nextCursor`. */
  cursor: z.string().max(200).nullish(),
  limit: z.number().int().min(1).max(100).default(25),
});

export const deliverySchema = z.object({
  id: z.string(),
  kind: z.enum(["alert", "digest", "test"]),
  status: z.enum(ALERT_DELIVERY_STATUSES),
  destination: z.object({ id: z.string(), kind: z.enum(ALERT_DESTINATION_KINDS), target: z.string() }),
  /** What happened: Failed, Completed, Late, RunningTooLong, NoSuccess, AgentOffline … (null if unknown). */
  event: z.string().nullable(),
  run: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
  stateType: z.string().nullable(),
  stateName: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  lastError: z.string().nullable(),
  /** For a coalesced alert: the digest message that carried it. */
  digest: z.object({ id: z.string(), status: z.enum(ALERT_DELIVERY_STATUSES), sentAt: z.string().nullable() }).nullable(),
  attempts: z.array(
    z.object({
      at: z.string(),
      outcome: z.enum(["sent", "retry", "failed", "kept"]),
      responseCode: z.number().nullable(),
      error: z.string().nullable(),
      /** What an acting action did ("Started run daring-lemur"), and the run it started. */
      detail: z.string().nullable(),
      runId: z.string().nullable(),
      durationMs: z.number(),
    }),
  ),
});

export const deliveriesPageSchema = z.object({ items: z.array(deliverySchema), nextCursor: z.string().nullable() });
export type DeliveriesPage = z.infer<typeof deliveriesPageSchema>;

/** An automation's deliveries, newest first, each with every attempt (oldest first). */
export async function listDeliveries(db: Db, workspaceId: string, input: z.output<typeof deliveriesInputSchema>): Promise<DeliveriesPage> {
  await findAutomation(db, workspaceId, input.automationId);
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  const rows = await db
    .select({ d: alertDeliveries, destKind: alertDestinations.kind, destTarget: alertDestinations.target, exactAt: sql<string>`${alertDeliveries.createdAt}::text` })
    .from(alertDeliveries)
    .innerJoin(alertDestinations, eq(alertDestinations.id, alertDeliveries.destinationId))
    .where(
      and(
        eq(alertDeliveries.workspaceId, workspaceId),
        eq(alertDeliveries.automationId, input.automationId),
        // The cursor keeps Postgres's microseconds: a JS Date would round them off and skip rows.
        after ? or(sql`${alertDeliveries.createdAt} < ${after.at}::timestamptz`, and(sql`${alertDeliveries.createdAt} = ${after.at}::timestamptz`, lt(alertDeliveries.id, after.id))) : undefined,
      ),
    )
    .orderBy(desc(alertDeliveries.createdAt), desc(alertDeliveries.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const ids = page.map((r) => r.d.id);
  const digestIds = [...new Set(page.flatMap((r) => (r.d.digestId ? [r.d.digestId] : [])))];
  const runIds = [...new Set(page.flatMap((r) => (isUuid(r.d.event.runId) ? [r.d.event.runId] : [])))];

  const [attempts, digests, runs] = await Promise.all([
    ids.length
      ? db.select().from(alertAttempts).where(and(eq(alertAttempts.workspaceId, workspaceId), inArray(alertAttempts.deliveryId, ids))).orderBy(asc(alertAttempts.at), asc(alertAttempts.id))
      : [],
    digestIds.length
      ? db
          .select({ id: alertDeliveries.id, status: alertDeliveries.status, sentAt: alertDeliveries.sentAt })
          .from(alertDeliveries)
          .where(and(eq(alertDeliveries.workspaceId, workspaceId), inArray(alertDeliveries.id, digestIds)))
      : [],
    runIds.length ? db.select({ id: flowRuns.id, name: flowRuns.name }).from(flowRuns).where(and(eq(flowRuns.workspaceId, workspaceId), inArray(flowRuns.id, runIds))) : [],
  ]);
  const digestById = new Map(digests.map((d) => [d.id, d]));
  const runName = new Map(runs.map((r) => [r.id, r.name]));

  const items = page.map(({ d, destKind, destTarget }) => {
    const runId = isUuid(d.event.runId) ? d.event.runId : null;
    const digest = d.digestId ? digestById.get(d.digestId) : undefined;
    return {
      id: d.id,
      kind: d.kind,
      status: d.status,
      destination: { id: d.destinationId, kind: destKind, target: destTarget },
      event: str(d.event.event) ?? (d.kind === "test" ? "Test" : d.kind === "digest" ? "Digest" : null),
      run: runId ? { id: runId, name: runName.get(runId) ?? null } : null,
      stateType: str(d.event.stateType),
      stateName: str(d.event.stateName),
      createdAt: d.createdAt.toISOString(),
      sentAt: d.sentAt?.toISOString() ?? null,
      lastError: d.lastError,
      digest: digest ? { id: digest.id, status: digest.status, sentAt: digest.sentAt?.toISOString() ?? null } : null,
      attempts: attempts
        .filter((a) => a.deliveryId === d.id)
        .map((a) => ({ at: a.at.toISOString(), outcome: a.outcome, responseCode: a.responseCode, error: a.error, detail: a.detail, runId: a.runId, durationMs: a.durationMs })),
    };
  });
  const last = page.at(-1);
  return { items, nextCursor: rows.length > input.limit && last ? encodeCursor(last.exactAt, last.d.id) : null };
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (v: unknown): v is string => typeof v === "string" && UUID_RE.test(v);
const str = (v: unknown) => (typeof v === "string" ? v : null);

function encodeCursor(at: string, id: string) {
  return Buffer.from(`${at}|${id}`).toString("base64url");
}

function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (!at || !/^\d{4}-\d\d-\d\d[ T][\d:.]+(Z|[+-]\d\d(:?\d\d)?)?$/.test(at) || !isUuid(id)) {
    throw new AppError("BAD_REQUEST", "That page link is no longer valid; start from the first page.");
  }
  return { at, id };
}
