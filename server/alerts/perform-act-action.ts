import "server-only";
import { and, eq, inArray, ne } from "drizzle-orm";
import type { Actor } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { agents, automations, deployments, flowRuns, flows, workPools, type AlertDestination } from "../db/schema";
import { AppError } from "../errors";
import { setDeploymentPaused } from "../deployments/manage-deployment";
import { updateWorkPool } from "../work-pools/manage-work-pools";
import { createDeploymentRun } from "../runs/create-run";
import { cancelRun } from "../runs/change-run-state";
import { getRun } from "../runs/load-runs";
import { ParameterTemplateError, renderParameterTemplate } from "../runs/parameter-template";
import { MAX_AUTOMATION_CHAIN, type ActionConfig } from "../../agent/protocol/automations";
import type { FlowRun } from "../../agent/protocol/runs";
import type { AlertEvent } from "./alert-event";
import type { SendResult } from "./send-to-destination";

/**
 * Performs an action that acts, for one queued delivery. The delivery row was written in the
 * transaction of the event (a state's trigger, or the watcher), and the notifier leases it, so an
 * action runs once per event; a run it starts carries the delivery's id as its idempotency key, so
 * even a notifier that dies between starting the run and recording it starts one run.
 *
 * Outcomes: sent (done, with what it did), failed (it cannot work: the target is gone, the template
 * or the schema refuses the event's values, a loop reached its bound), retry (the database).
 */
export async function performActAction(
  db: Db,
  destination: Pick<AlertDestination, "workspaceId" | "automationId" | "kind" | "config">,
  delivery: { id: string; event: AlertEvent },
): Promise<SendResult> {
  const config = destination.config;
  if (!config) return failed("This action has no settings; edit the automation and save it again.");
  try {
    const trigger = await loadTrigger(db, destination.workspaceId, destination.automationId, delivery.event);
    const actor: Actor = { userId: null, label: `automation:${trigger.automation.name}` };
    return await perform(db, destination.workspaceId, actor, config, trigger, delivery.id);
  } catch (err) {
    if (err instanceof ParameterTemplateError) return failed(`The parameter template was refused: ${err.message}`);
    if (err instanceof AppError && err.code !== "UNAVAILABLE") return failed(err.message);
    throw err;
  }
}

type Trigger = {
  event: string;
  agent?: { id: string; name: string; hostname: string | null };
  automation: { id: string; name: string };
  run: FlowRun | null;
  deploymentId: string | null;
  workPoolId: string | null;
};

async function perform(db: Db, workspaceId: string, actor: Actor, config: ActionConfig, t: Trigger, deliveryId: string): Promise<SendResult> {
  switch (config.kind) {
    case "run_deployment": {
      const depth = t.run?.origin?.kind === "automation" ? t.run.origin.depth + 1 : 1;
      if (depth > MAX_AUTOMATION_CHAIN) {
        return failed(
          `Not started: run ${t.run!.name} is already the ${MAX_AUTOMATION_CHAIN}th run of a chain of automation-started runs (a loop such as A starts B starts A is stopped there). Start the next run by hand if it is wanted.`,
        );
      }
      const parameters = renderParameterTemplate(config.parameters, templateContext(t));
      const { run, created } = await createDeploymentRun(
        db,
        workspaceId,
        actor,
        config.deploymentId,
        { parameters, idempotencyKey: `automation:${deliveryId}` },
        {
          origin: { kind: "automation", automationId: t.automation.id, automationName: t.automation.name, event: t.event, runId: t.run?.id ?? null, runName: t.run?.name ?? null, depth },
          triggeredByRunId: t.run?.id ?? null,
        },
      );
      return done(`${created ? "Started" : "Already started"} run ${run.name} of ${run.flowName}/${run.deploymentName}`, run.id);
    }
    case "pause_deployment":
    case "resume_deployment": {
      const id = config.deploymentId ?? t.deploymentId;
      if (!id) return failed("The event names no deployment (an ad-hoc run?), so there is none to pause or resume.");
      const d = await setDeploymentPaused(db, workspaceId, actor, id, config.kind === "pause_deployment");
      return done(`${config.kind === "pause_deployment" ? "Paused" : "Resumed"} deployment ${d.flowName}/${d.name}`);
    }
    case "cancel_runs": {
      if (!t.run) return failed("The event names no run to cancel.");
      if (config.which === "triggering") {
        if (!["SCHEDULED", "PENDING", "RUNNING", "PAUSED"].includes(t.run.state.type)) return done(`Nothing to cancel: run ${t.run.name} is already ${t.run.state.name}`);
        const run = await cancelRun(db, workspaceId, actor, t.run.id);
        return done(`Cancelled run ${run.name} (${run.state.name})`, run.id);
      }
      if (!t.run.deploymentId) return failed(`Run ${t.run.name} is ad hoc: it has no deployment whose other runs could be cancelled.`);
      const others = await db
        .select({ id: flowRuns.id })
        .from(flowRuns)
        .where(and(eq(flowRuns.workspaceId, workspaceId), eq(flowRuns.deploymentId, t.run.deploymentId), ne(flowRuns.id, t.run.id), inArray(flowRuns.stateType, ["PENDING", "RUNNING", "PAUSED"])));
      let cancelled = 0;
      for (const o of others) {
        try {
          await cancelRun(db, workspaceId, actor, o.id);
          cancelled++;
        } catch (err) {
          // It ended (or was cancelled) meanwhile: nothing left to do for it.
          if (!(err instanceof AppError && (err.code === "CONFLICT" || err.code === "NOT_FOUND"))) throw err;
        }
      }
      return done(`Cancelled ${cancelled} other active run${cancelled === 1 ? "" : "s"} of ${t.run.flowName}/${t.run.deploymentName}`);
    }
    case "pause_work_pool":
    case "resume_work_pool": {
      const id = config.workPoolId ?? t.workPoolId;
      const [pool] = id ? await db.select({ name: workPools.name }).from(workPools).where(and(eq(workPools.workspaceId, workspaceId), eq(workPools.id, id))) : [];
      if (!pool) return failed("The work pool is gone (or the event names none).");
      await updateWorkPool(db, workspaceId, actor, pool.name, { paused: config.kind === "pause_work_pool" });
      return done(`${config.kind === "pause_work_pool" ? "Paused" : "Resumed"} work pool ${pool.name}`);
    }
  }
}

/** What a parameter template may name (docs/automations.md lists it): the event, read now. */
function templateContext(t: Trigger): Record<string, unknown> {
  const r = t.run;
  return {
    event: t.event,
    automation: t.automation,
    ...(t.agent ? { agent: t.agent } : {}),
    ...(r
      ? {
          run: { id: r.id, name: r.name, parameters: r.parameters, tags: r.tags, state: r.state.name, message: r.state.message, attempt: r.attempt, scheduled_time: r.scheduledTime, start_time: r.startTime, end_time: r.endTime },
          flow: { id: r.flowId, name: r.flowName },
          deployment: { id: r.deploymentId, name: r.deploymentName },
        }
      : {}),
  };
}

async function loadTrigger(db: Db, workspaceId: string, automationId: string, event: AlertEvent): Promise<Trigger> {
  const [automation] = await db.select({ id: automations.id, name: automations.name }).from(automations).where(and(eq(automations.workspaceId, workspaceId), eq(automations.id, automationId)));
  if (!automation) throw new AppError("NOT_FOUND", "The automation was deleted.");
  const base = { automation, run: null, deploymentId: null, workPoolId: null };
  switch (event.trigger) {
    case "run_state":
    case "running_longer": {
      const run = await getRun(db, workspaceId, event.runId);
      const [row] = await db.select({ workPoolId: flowRuns.workPoolId }).from(flowRuns).where(and(eq(flowRuns.workspaceId, workspaceId), eq(flowRuns.id, run.id)));
      return { ...base, event: event.event, run, deploymentId: run.deploymentId, workPoolId: row?.workPoolId ?? null };
    }
    case "no_success": {
      const [d] = await db
        .select({ id: deployments.id, workPoolId: deployments.workPoolId, flowName: flows.name })
        .from(deployments)
        .innerJoin(flows, eq(flows.id, deployments.flowId))
        .where(and(eq(deployments.workspaceId, workspaceId), eq(deployments.id, event.deploymentId)));
      return { ...base, event: event.event, deploymentId: d?.id ?? null, workPoolId: d?.workPoolId ?? null };
    }
    case "agent_offline": {
      const [a] = await db
        .select({ id: agents.id, name: agents.name, hostname: agents.hostname, workPoolId: agents.workPoolId })
        .from(agents)
        .where(and(eq(agents.workspaceId, workspaceId), eq(agents.id, event.agentId)));
      return { ...base, event: event.event, workPoolId: a?.workPoolId ?? null, agent: a ? { id: a.id, name: a.name, hostname: a.hostname } : undefined };
    }
    default:
      throw new AppError("BAD_REQUEST", "Actions that act run for events, not for tests or digests.");
  }
}

const done = (detail: string, runId: string | null = null): SendResult => ({ outcome: "sent", responseCode: null, error: null, retryAfterMs: null, detail, runId });
const failed = (error: string): SendResult => ({ outcome: "failed", responseCode: null, error, retryAfterMs: null });
