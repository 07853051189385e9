import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { deliverDueAlerts } from "../../server/alerts/deliver-alerts";
import type { Db } from "../../server/db/client";
import type { startApiServer } from "./api-server";
import { createWorkspaceWithMembers } from "./fixtures";

type Api = Awaited<ReturnType<typeof startApiServer>>;
type EmailAction = { userIds?: string[]; roles?: string[]; addresses?: string[] };

/**
 * A workspace with a command deployment and an automation emailing its cancelled runs to `action`.
 * `alert()` cancels a new run through /api/v1, runs the notifier's delivery step, and returns the
 * newest alert delivery's status and error.
 */
export async function workspaceAlerting(db: Db, api: Api, action: EmailAction, roles: ("developer" | "viewer")[] = []) {
  const w = await createWorkspaceWithMembers(db, roles);
  const { key } = await w.owner.caller.apiKeys.create({ workspace: w.ws.slug, name: "owner", role: "owner" });
  const dep = await api.call("PUT", "/api/v1/deployments", { key, body: { flowName: "etl", name: `d-${randomUUID().slice(0, 8)}`, kind: "command", command: "echo hi" } });
  const deploymentId = (dep.json as { deployment: { id: string } }).deployment.id;
  const { automation } = await w.owner.caller.automations.create({
    workspace: w.ws.slug,
    name: "Cancelled runs",
    triggerKind: "run_state",
    states: ["Cancelled"],
    actions: [{ kind: "email", userIds: [], roles: [], addresses: [], ...action }],
  });
  const alert = async () => {
    const run = await api.call("POST", `/api/v1/deployments/${deploymentId}/runs`, { key, body: {} });
    const runId = (run.json as { run: { id: string } }).run.id;
    expect((await api.call("POST", `/api/v1/flow-runs/${runId}/cancel`, { key })).status).toBe(200);
    await deliverDueAlerts(db);
    const { rows } = await db.$client.query<{ status: string; last_error: string | null }>(
      `select status, last_error from alert_deliveries where automation_id = $1 and kind = 'alert' order by created_at desc limit 1`,
      [automation.id],
    );
    return rows[0];
  };
  return { ...w, key, automation, destinationId: automation.destinations[0].id, alert };
}
