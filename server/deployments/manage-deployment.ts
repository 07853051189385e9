import { and, eq, sql } from "drizzle-orm";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { deployments, flows } from "../db/schema";
import { AppError } from "../errors";
import { notifyLive } from "../live/notify-live";
import { removeFutureRuns } from "../scheduling/replace-schedules";
import { getDeployment } from "./get-deployment";
import { isUuid } from "../../agent/protocol/storable";
import type { CatchUpPolicy, DeploymentSource, SetupStep } from "../../agent/protocol/deployments";
import { assertConfigReferencesExist, withSourceCredentials } from "../secrets/config-references";

/** "etl/nightly": how people name a deployment, in the audit log as in the CLI. */
export const deploymentLabel = (flowName: string, name: string) => `${flowName}/${name}`;

/** Pausing removes the deployment's future scheduled runs; resuming lets the scheduler refill them. */
export async function setDeploymentPaused(db: Db, workspaceId: string, actor: Actor, id: string, paused: boolean) {
  const before = await getDeployment(db, workspaceId, id);
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(deployments)
      .set({ paused, updatedAt: sql`now()` })
      .where(and(eq(deployments.id, id), eq(deployments.workspaceId, workspaceId)))
      .returning({ workPoolId: deployments.workPoolId });
    if (paused) await removeFutureRuns(tx, { workspaceId, deploymentId: id });
    // Runs that waited while it was paused are claimable again: wake the pool's agents.
    else await tx.execute(sql`select pg_notify('baton_dispatch', ${row.workPoolId}::text)`);
    // Pausing a paused deployment changes nothing, and the log says only what changed.
    if (before.paused !== paused) {
      await recordAuditEvent(tx, workspaceId, actor, {
        action: paused ? "deployment.paused" : "deployment.resumed",
        targetType: "deployment",
        targetId: id,
        targetLabel: deploymentLabel(before.flowName, before.name),
      });
    }
    await notifyLive(tx, workspaceId, "deployment", [id]);
  });
  return getDeployment(db, workspaceId, id);
}

/**
 * Sets what happens to the deployment's missed scheduled runs (docs/scheduling.md#catch-up). The
 * next catch-up pass applies it to runs already waiting. A later `baton deploy` sets it again from
 * its baton.yaml, like every other setting the file carries.
 */
export async function setDeploymentCatchUp(db: Db, workspaceId: string, actor: Actor, id: string, policy: { catchUp: CatchUpPolicy; maxLatenessSeconds: number | null }) {
  const before = await getDeployment(db, workspaceId, id);
  const changed = [
    ...(before.catchUp !== policy.catchUp ? ["catchUp"] : []),
    ...(before.maxLatenessSeconds !== policy.maxLatenessSeconds ? ["maxLatenessSeconds"] : []),
  ];
  if (changed.length === 0) return before;
  await db.transaction(async (tx) => {
    await tx
      .update(deployments)
      .set({ catchUp: policy.catchUp, maxLatenessSeconds: policy.maxLatenessSeconds, updatedAt: sql`now()` })
      .where(and(eq(deployments.id, id), eq(deployments.workspaceId, workspaceId)));
    await recordAuditEvent(tx, workspaceId, actor, {
      action: "deployment.updated",
      targetType: "deployment",
      targetId: id,
      targetLabel: deploymentLabel(before.flowName, before.name),
      details: { changed, catchUp: policy.catchUp, maxLatenessSeconds: policy.maxLatenessSeconds },
    });
    await notifyLive(tx, workspaceId, "deployment", [id]);
  });
  return getDeployment(db, workspaceId, id);
}

/**
 * Sets where the deployment's code is and its setup step (docs/cli.md#where-the-code-comes-from),
 * from the deployment page. A git source's credentials secret must exist. Runs already claimed
 * keep the code they have; the next claim uses the new source. A later `baton deploy` sets both
 * again from its flags or baton.yaml.
 */
export async function setDeploymentSource(db: Db, workspaceId: string, actor: Actor, id: string, next: { source: DeploymentSource | null; setup: SetupStep | null }) {
  const before = await getDeployment(db, workspaceId, id);
  const changed = [
    ...(JSON.stringify(before.source) !== JSON.stringify(next.source) ? ["source"] : []),
    ...(JSON.stringify(before.setup) !== JSON.stringify(next.setup) ? ["setup"] : []),
  ];
  if (changed.length === 0) return before;
  await db.transaction(async (tx) => {
    await assertConfigReferencesExist(tx, workspaceId, withSourceCredentials({}, next.source), []);
    await tx
      .update(deployments)
      .set({ source: next.source, sourceHost: next.source?.kind === "local" ? next.source.host : null, setup: next.setup, updatedAt: sql`now()` })
      .where(and(eq(deployments.id, id), eq(deployments.workspaceId, workspaceId)));
    await recordAuditEvent(tx, workspaceId, actor, {
      action: "deployment.updated",
      targetType: "deployment",
      targetId: id,
      targetLabel: deploymentLabel(before.flowName, before.name),
      details: { changed },
    });
    await notifyLive(tx, workspaceId, "deployment", [id]);
  });
  return getDeployment(db, workspaceId, id);
}

/** Deletes the deployment and its future runs; runs that already happened stay in history. */
export async function deleteDeployment(db: Db, workspaceId: string, actor: Actor, id: string) {
  if (!isUuid(id)) throw new AppError("NOT_FOUND", "Deployment not found.");
  await db.transaction(async (tx) => {
    const [found] = await tx
      .select({ name: deployments.name, flowName: flows.name })
      .from(deployments)
      .innerJoin(flows, eq(flows.id, deployments.flowId))
      .where(and(eq(deployments.id, id), eq(deployments.workspaceId, workspaceId)));
    if (!found) throw new AppError("NOT_FOUND", "Deployment not found.");
    // Not locked above: a scheduler filling its schedules holds those and then needs the
    // deployment row, so locking the deployment first could deadlock with it.
    await removeFutureRuns(tx, { workspaceId, deploymentId: id });
    const rows = await tx.delete(deployments).where(and(eq(deployments.id, id), eq(deployments.workspaceId, workspaceId))).returning({ id: deployments.id });
    if (!rows[0]) throw new AppError("NOT_FOUND", "Deployment not found.");
    await recordAuditEvent(tx, workspaceId, actor, { action: "deployment.deleted", targetType: "deployment", targetId: id, targetLabel: deploymentLabel(found.flowName, found.name) });
    await notifyLive(tx, workspaceId, "deployment", [id]);
  });
}
