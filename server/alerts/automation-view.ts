import "server-only";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { alertDestinations, type AlertDestination, type Automation } from "../db/schema";
import type { AutomationView, DestinationView } from "../../agent/protocol/automations";
import { addressStatuses, memberAddresses } from "./alert-email-subscriptions";

/** What leaves the server about automations and their actions: never a URL or a secret. */

export function serializeDestination(d: AlertDestination): DestinationView {
  return {
    id: d.id,
    kind: d.kind,
    target: d.target,
    recipients: d.kind === "email" ? (d.recipients ?? { userIds: [], roles: [], addresses: [] }) : null,
    disabledAt: d.disabledAt?.toISOString() ?? null,
    disabledReason: d.disabledReason,
    consecutiveGone: d.consecutiveGone,
    config: d.config ?? null,
  };
}

type LastDelivery = { automation_id: string; status: NonNullable<AutomationView["lastDelivery"]>["status"]; kind: string; created_at: Date | string; sent_at: Date | string | null };
const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

export async function serializeAutomations(db: Queryable, workspaceId: string, rows: Automation[]): Promise<AutomationView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const destinations = await db
    .select()
    .from(alertDestinations)
    .where(and(eq(alertDestinations.workspaceId, workspaceId), inArray(alertDestinations.automationId, ids)))
    .orderBy(asc(alertDestinations.createdAt), asc(alertDestinations.id));
  // One index probe per automation (workspace, automation, created_at) rather than a scan of the outbox.
  const last = await db.execute<LastDelivery>(sql`
    select a.id as automation_id, d.status, d.kind, d.created_at, d.sent_at
      from automations a
      cross join lateral (
        select status, kind, created_at, sent_at from alert_deliveries
         where workspace_id = a.workspace_id and automation_id = a.id
         order by created_at desc limit 1) d
     where a.workspace_id = ${workspaceId} and a.id = any(${sql.param(ids)}::uuid[])`);
  const lastBy = new Map(last.rows.map((r) => [r.automation_id, r]));
  const listed = [...new Set(destinations.flatMap((d) => d.recipients?.addresses ?? []))];
  const members = await memberAddresses(db, workspaceId, listed);
  const statuses = await addressStatuses(db, workspaceId, listed);
  const withStatuses = (d: AlertDestination): DestinationView => ({
    ...serializeDestination(d),
    ...(d.kind === "email" ? { addressStatuses: (d.recipients?.addresses ?? []).map((address) => ({ address, status: members.has(address) ? "member" : statuses.get(address)! })) } : {}),
  });
  return rows.map((a) => {
    const l = lastBy.get(a.id);
    return {
      id: a.id,
      name: a.name,
      enabled: a.enabled,
      triggerKind: a.triggerKind,
      states: a.triggerStates,
      minutes: a.triggerKind === "running_longer" ? a.thresholdMinutes : null,
      hours: a.triggerKind === "no_success" && a.thresholdMinutes !== null ? a.thresholdMinutes / 60 : null,
      flowIds: a.flowIds,
      deploymentIds: a.deploymentIds,
      tags: a.tags,
      template: a.template,
      managedByDeploymentId: a.managedByDeploymentId,
      createdAt: a.createdAt.toISOString(),
      updatedAt: a.updatedAt.toISOString(),
      destinations: destinations.filter((d) => d.automationId === a.id).map(withStatuses),
      lastDelivery: l ? { status: l.status, kind: l.kind, createdAt: iso(l.created_at)!, sentAt: iso(l.sent_at) } : null,
    };
  });
}
