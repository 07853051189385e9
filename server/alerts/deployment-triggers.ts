import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import { canonicalJson } from "../db/canonical-json";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import type { Queryable } from "../db/client";
import { alertDestinations, automations, deployments, flows } from "../db/schema";
import { AppError } from "../errors";
import { notifyLive } from "../live/notify-live";
import { validateParameterTemplate } from "../deployments/validate-parameters";
import { checkParameterTemplate, ParameterTemplateError, templatedKeys } from "../runs/parameter-template";
import { templateRoots, type ActionConfig } from "../../agent/protocol/automations";
import type { DeploymentTrigger } from "../../agent/protocol/deployments";

/**
 * `triggers:` of a deployment (baton.yaml): each is an automation "when a run of <after> enters
 * <on>, run this deployment with <parameters>", managed by the deployment. The deploy is the
 * truth: the next one updates them by name and removes the ones no longer listed; they go when
 * the deployment goes. Checked in full before the deployment is written, applied in its transaction.
 */

export type PreparedTrigger = { name: string; enabled: boolean; states: string[]; upstreamId: string; parameters: Record<string, unknown> };

/** Throws BAD_REQUEST naming `triggers.<i>` with what to change. */
export async function prepareDeploymentTriggers(
  db: Queryable,
  workspaceId: string,
  triggers: DeploymentTrigger[],
  target: { flowName: string; name: string; parameterSchema?: Record<string, unknown> | null; parameters: Record<string, unknown> },
): Promise<PreparedTrigger[]> {
  const label = `${target.flowName}/${target.name}`;
  const fieldErrors: Record<string, string[]> = {};
  const prepared: PreparedTrigger[] = [];
  for (const [i, t] of triggers.entries()) {
    const field = `triggers.${i}`;
    const fail = (message: string) => (fieldErrors[field] ??= []).push(message);
    const [flowName, name] = t.after.split("/");
    const [upstream] = await db
      .select({ id: deployments.id })
      .from(deployments)
      .innerJoin(flows, eq(flows.id, deployments.flowId))
      .where(and(eq(deployments.workspaceId, workspaceId), eq(flows.name, flowName), eq(deployments.name, name)));
    // The deployment being deployed may name itself only once it exists; a loop is bounded anyway.
    if (!upstream) fail(`Trigger ${i + 1} of ${label}: deployment ${t.after} does not exist in this workspace. Deploy it first (in a baton.yaml, list it before ${label}).`);
    try {
      checkParameterTemplate(t.parameters, templateRoots("run_state"));
      validateParameterTemplate(target.parameterSchema, target.parameters, t.parameters, templatedKeys(t.parameters));
    } catch (err) {
      if (err instanceof ParameterTemplateError || (err instanceof AppError && err.code === "UNPROCESSABLE")) fail(`Trigger ${i + 1} of ${label}: ${err.message}`);
      else throw err;
    }
    const triggerName = t.name ?? `Run ${label} after ${t.after} ${t.on.join("/")}`;
    if (prepared.some((p) => p.name === triggerName)) fail(`Trigger ${i + 1} of ${label}: two triggers are named “${triggerName}”; give each a different name.`);
    if (upstream) prepared.push({ name: triggerName, enabled: t.enabled, states: [...new Set(t.on)], upstreamId: upstream.id, parameters: t.parameters });
  }
  if (Object.keys(fieldErrors).length) throw new AppError("BAD_REQUEST", Object.values(fieldErrors).flat().join(" "), { fieldErrors });
  return prepared;
}

/** Makes the deployment's managed automations match `prepared`, in the caller's transaction. True when anything changed. */
export async function syncDeploymentTriggers(tx: Queryable, workspaceId: string, actor: Actor, deploymentId: string, label: string, prepared: PreparedTrigger[]): Promise<boolean> {
  const existing = await tx.select().from(automations).where(and(eq(automations.workspaceId, workspaceId), eq(automations.managedByDeploymentId, deploymentId)));
  const actions = existing.length
    ? await tx.select().from(alertDestinations).where(and(eq(alertDestinations.workspaceId, workspaceId), inArray(alertDestinations.automationId, existing.map((a) => a.id))))
    : [];
  const touched: string[] = [];
  const audit = (action: string, id: string, name: string) => recordAuditEvent(tx, workspaceId, actor, { action, targetType: "automation", targetId: id, targetLabel: name, details: { managedBy: label } });

  for (const p of prepared) {
    const config: ActionConfig = { kind: "run_deployment", deploymentId, parameters: p.parameters };
    const fields = { enabled: p.enabled, triggerKind: "run_state" as const, triggerStates: p.states, deploymentIds: [p.upstreamId], flowIds: [], tags: [], thresholdMinutes: null, template: null };
    const current = existing.find((a) => a.name === p.name);
    if (!current) {
      const [row] = await tx
        .insert(automations)
        .values({ workspaceId, name: p.name, managedByDeploymentId: deploymentId, createdBy: actor.userId, ...fields })
        .returning({ id: automations.id });
      await tx.insert(alertDestinations).values({ workspaceId, automationId: row.id, kind: "run_deployment", target: `run ${label}`, config });
      await audit("automation.created", row.id, p.name);
      touched.push(row.id);
      continue;
    }
    const action = actions.filter((d) => d.automationId === current.id);
    const same =
      current.enabled === p.enabled &&
      current.triggerKind === "run_state" &&
      sameList(current.triggerStates, p.states) &&
      sameList(current.deploymentIds, [p.upstreamId]) &&
      current.flowIds.length + current.tags.length === 0 &&
      action.length === 1 &&
      canonicalJson(action[0].config) === canonicalJson(config);
    if (same) continue;
    await tx.update(automations).set({ ...fields, updatedAt: new Date() }).where(eq(automations.id, current.id));
    await tx.delete(alertDestinations).where(eq(alertDestinations.automationId, current.id));
    await tx.insert(alertDestinations).values({ workspaceId, automationId: current.id, kind: "run_deployment", target: `run ${label}`, config, createdAt: sql`clock_timestamp()` });
    await audit("automation.updated", current.id, p.name);
    touched.push(current.id);
  }
  for (const gone of existing.filter((a) => !prepared.some((p) => p.name === a.name))) {
    await tx.delete(automations).where(eq(automations.id, gone.id));
    await audit("automation.deleted", gone.id, gone.name);
    touched.push(gone.id);
  }
  if (touched.length) await notifyLive(tx, workspaceId, "automation", touched);
  return touched.length > 0;
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
