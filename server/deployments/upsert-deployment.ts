import { canonicalJson } from "../db/canonical-json";
import { and, eq, sql } from "drizzle-orm";
import { deploymentUpsertSchema, type DeploymentUpsert } from "../../agent/protocol/deployments";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { deployments } from "../db/schema";
import { upsertFlow } from "../flows/upsert-flow";
import { notifyLive } from "../live/notify-live";
import { removeFutureRuns, replaceSchedules } from "../scheduling/replace-schedules";
import { findWorkPool } from "../work-pools/find-work-pool";
import { getDeployment } from "./get-deployment";
import { deploymentLabel } from "./manage-deployment";
import { assertValidParameterSchema } from "./validate-parameters";
import { prepareDeploymentTriggers, syncDeploymentTriggers } from "../alerts/deployment-triggers";
import { assertPlanAllows } from "../billing/plan-limits";
import { assertConfigReferencesExist, withSourceCredentials } from "../secrets/config-references";

const FIELDS = ["description", "kind", "entrypoint", "command", "python", "source", "setup", "workPoolId", "parameters", "parameterSchema", "tags", "retries", "retryDelay", "timeoutSeconds", "concurrencyLimit", "paused", "catchUp", "maxLatenessSeconds", "env", "declaredSecrets"] as const;

/**
 * Creates or updates a deployment by (flow name, deployment name). Idempotent: the same input
 * again changes nothing and says so. Schedules, when given, replace the deployment's schedules;
 * changed or removed schedules take their future unstarted runs with them, in one transaction.
 */
export async function upsertDeployment(db: Db, workspaceId: string, actor: Actor, raw: DeploymentUpsert) {
  const input = deploymentUpsertSchema.parse(raw);
  assertValidParameterSchema(input.parameterSchema);
  // Triggers are checked in full first, so a refused one changes nothing.
  const triggers = input.triggers && (await prepareDeploymentTriggers(db, workspaceId, input.triggers, input));
  const { id, created, changed } = await db.transaction(async (tx) => {
    const flow = await upsertFlow(tx, workspaceId, input.flowName);
    const pool = await findWorkPool(tx, workspaceId, input.workPool);
    await assertConfigReferencesExist(tx, workspaceId, withSourceCredentials(input.env, input.source ?? null), input.secrets);
    const values = {
      description: input.description ?? null,
      kind: input.kind,
      entrypoint: input.kind === "flow" ? (input.entrypoint ?? null) : null,
      command: input.kind === "command" ? (input.command ?? null) : null,
      python: input.python ?? null,
      source: input.source ?? null,
      sourceHost: input.source?.kind === "local" ? input.source.host : null,
      setup: input.setup ?? null,
      workPoolId: pool.id,
      parameters: input.parameters,
      parameterSchema: input.parameterSchema ?? null,
      tags: input.tags,
      retries: input.retries,
      retryDelay: input.retryDelay,
      timeoutSeconds: input.timeoutSeconds ?? null,
      concurrencyLimit: input.concurrencyLimit ?? null,
      paused: false,
      catchUp: input.catchUp,
      maxLatenessSeconds: input.maxLatenessSeconds ?? null,
      env: input.env,
      declaredSecrets: [...new Set(input.secrets)].sort(),
    };
    const [existing] = await tx
      .select()
      .from(deployments)
      .where(and(eq(deployments.workspaceId, workspaceId), eq(deployments.flowId, flow.id), eq(deployments.name, input.name)))
      .for("update");
    // Not saying keeps what a person chose in the UI: redeploying does not resume a paused deployment.
    values.paused = input.paused ?? existing?.paused ?? false;
    let id: string;
    const changed: string[] = [];
    if (!existing) {
      await assertPlanAllows(tx, workspaceId, "deployments");
      const [row] = await tx.insert(deployments).values({ workspaceId, flowId: flow.id, name: input.name, ...values }).returning({ id: deployments.id });
      id = row.id;
    } else {
      id = existing.id;
      for (const f of FIELDS) if (canonicalJson(existing[f]) !== canonicalJson(values[f])) changed.push(f === "workPoolId" ? "workPool" : f === "declaredSecrets" ? "secrets" : f);
      if (changed.length) await tx.update(deployments).set({ ...values, updatedAt: sql`now()` }).where(eq(deployments.id, id));
      // Future scheduled runs carry the old parameters, tags and pool: drop them so the scheduler
      // refills with the new ones (and a paused deployment has none).
      const stale = ["parameters", "tags", "workPool"].some((f) => changed.includes(f));
      if ((!existing.paused && values.paused) || stale) await removeFutureRuns(tx, { workspaceId, deploymentId: id });
    }
    const label = deploymentLabel(input.flowName, input.name);
    // A redeploy that changed nothing writes nothing (CI deploys on every push); schedule changes get events of their own.
    if (!existing) {
      await recordAuditEvent(tx, workspaceId, actor, { action: "deployment.created", targetType: "deployment", targetId: id, targetLabel: label, details: { kind: input.kind, workPool: pool.name } });
    } else if (changed.length) {
      await recordAuditEvent(tx, workspaceId, actor, { action: "deployment.updated", targetType: "deployment", targetId: id, targetLabel: label, details: { changed } });
    }
    if (input.schedules) {
      const result = await replaceSchedules(tx, { workspaceId, deploymentId: id, schedules: input.schedules, actor, deploymentLabel: label });
      if (result.changed && existing) changed.push("schedules");
    }
    if (triggers && (await syncDeploymentTriggers(tx, workspaceId, actor, id, label, triggers)) && existing) changed.push("triggers");
    // Schedule changes notify from replaceSchedules; a redeploy that changed nothing stays quiet.
    if (!existing || changed.some((f) => f !== "schedules")) await notifyLive(tx, workspaceId, "deployment", [id]);
    return { id, created: !existing, changed };
  });
  return { deployment: await getDeployment(db, workspaceId, id), created, changed };
}
