import "server-only";
import type { AlertContext, AlertEventName } from "./alert-context";
import { renderMessageTemplate } from "./message-template";

/*
 * The JSON body of a generic webhook, documented in docs/alerts.md ("Webhook body"). Every field is
 * copied by name, so a field added to AlertContext never reaches receivers by accident: this
 * shape is a public contract. Long texts are capped so a body stays well under 100 KB.
 */

const MAX_MESSAGE = 10_000;
const MAX_LOG_LINE = 1000;
const MAX_LOG_LINES = 20;

/** One alert: `{ id, type: "alert", event, at, message, test, workspace, automation, run, deployment, agent, thresholdMinutes, logLines }`. */
export function webhookPayload(deliveryId: string, ctx: AlertContext, message: string): Record<string, unknown> {
  return { id: deliveryId, type: "alert", ...alertBody(ctx, message) };
}

/**
 * Many alerts to one destination within a minute: `{ id, type: "digest", count, counts, alerts }`,
 * each alert the body of a single alert without `id` and `type`. The template of each item's
 * automation is not part of the context, so `message` is rendered by `render` (the event's
 * default message unless the caller passes the automation's template).
 */
export function webhookDigestPayload(
  deliveryId: string,
  items: AlertContext[],
  render: (ctx: AlertContext) => string = (ctx) => renderMessageTemplate(null, ctx),
): Record<string, unknown> {
  const counts: Partial<Record<AlertEventName, number>> = {};
  for (const item of items) counts[item.event] = (counts[item.event] ?? 0) + 1;
  return {
    id: deliveryId,
    type: "digest",
    count: items.length,
    counts,
    alerts: items.map((item) => alertBody(item, render(item))),
  };
}

function alertBody(ctx: AlertContext, message: string) {
  const { run, deployment, agent } = ctx;
  return {
    event: ctx.event,
    at: ctx.at,
    message: cap(message, MAX_MESSAGE),
    test: ctx.test,
    workspace: { name: ctx.workspace.name, slug: ctx.workspace.slug },
    automation: { id: ctx.automation.id, name: ctx.automation.name, url: ctx.automation.url },
    run: run
      ? {
          id: run.id,
          name: run.name,
          url: run.url,
          flowName: run.flowName,
          deploymentName: run.deploymentName,
          state: { type: run.stateType, name: run.stateName, message: run.stateMessage == null ? null : cap(run.stateMessage, MAX_MESSAGE) },
          durationSeconds: run.durationSeconds,
          scheduledTime: run.scheduledTime,
          startTime: run.startTime,
          endTime: run.endTime,
          attempt: run.attempt,
          tags: [...run.tags],
        }
      : null,
    deployment: deployment
      ? {
          id: deployment.id,
          name: deployment.name,
          flowName: deployment.flowName,
          url: deployment.url,
          lastSuccessAt: deployment.lastSuccessAt,
          hours: deployment.hours,
        }
      : null,
    agent: agent
      ? {
          id: agent.id,
          name: agent.name,
          hostname: agent.hostname,
          poolName: agent.poolName,
          lastHeartbeatAt: agent.lastHeartbeatAt,
          url: agent.url,
        }
      : null,
    thresholdMinutes: ctx.thresholdMinutes,
    logLines: ctx.logLines.slice(-MAX_LOG_LINES).map((l) => cap(l, MAX_LOG_LINE)),
  };
}

function cap(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
