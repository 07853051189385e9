import "server-only";
import type { TemplateProps } from "@/emails";
import type { AlertContext } from "./alert-context";
import { formatDuration, formatTime, renderMessageTemplate } from "./message-template";
import { digestSummary } from "./slack-message";

/*
 * Chooses the email template for an alert and fills in its props. Pure: `renderEmail(template,
 * props)` or `sendEmail` do the rest. Names that reach subjects are squeezed onto one line and cut
 * to the schemas' limits here, so an odd flow name or a 100 KB error never makes rendering throw.
 *
 * Cancelled runs use `alert-run-failed` with `event: "Cancelled"` ("Run x was cancelled"): a
 * cancel is a run that ended without success, and what the recipient needs is the same as for a
 * failure: the state message (who cancelled, or why) and the last log lines (where it stopped).
 */

type AlertTemplateName =
  | "alert-run-completed"
  | "alert-run-failed"
  | "alert-run-late"
  | "alert-run-running-long"
  | "alert-no-success"
  | "alert-agent-offline"
  | "alert-digest"
  | "alert-destination-disabled";

/** A template and its props, typed together so `renderEmail(e.template, e.props)` checks. */
export type AlertEmail<N extends AlertTemplateName = AlertTemplateName> = { [K in N]: { template: K; props: TemplateProps<K> } }[N];

const MAX_MESSAGE = 10_000;
const DIGEST_ITEMS = 100;

export function alertEmail(ctx: AlertContext, message: string): AlertEmail<Exclude<AlertTemplateName, "alert-digest" | "alert-destination-disabled">> {
  const base = {
    test: ctx.test,
    workspaceName: line(ctx.workspace.name, 200),
    automationName: line(ctx.automation.name, 200),
    automationUrl: ctx.automation.url,
    message: cut(message.trim() || renderMessageTemplate(null, ctx), MAX_MESSAGE),
  };
  const run = ctx.run;
  const runFields = run && {
    runName: line(run.name, 200),
    url: run.url,
    flowName: line(run.flowName, 200),
    deploymentName: run.deploymentName ? line(run.deploymentName, 200) : null,
  };

  switch (ctx.event) {
    case "NoSuccess":
      if (!ctx.deployment) break;
      return {
        template: "alert-no-success",
        props: {
          ...base,
          deploymentName: line(ctx.deployment.name, 200),
          url: ctx.deployment.url,
          flowName: line(ctx.deployment.flowName, 200),
          hours: Math.max(1, Math.round(ctx.deployment.hours)),
          lastSuccessAt: formatTime(ctx.deployment.lastSuccessAt),
        },
      };
    case "AgentOffline":
      if (!ctx.agent) break;
      return {
        template: "alert-agent-offline",
        props: {
          ...base,
          agentName: line(ctx.agent.name, 200),
          hostname: ctx.agent.hostname ? line(ctx.agent.hostname, 255) : null,
          poolName: line(ctx.agent.poolName, 200),
          lastHeartbeatAt: formatTime(ctx.agent.lastHeartbeatAt) ?? line(ctx.agent.lastHeartbeatAt, 60),
          url: ctx.agent.url,
        },
      };
    case "Late":
      if (!run || !runFields) break;
      return {
        template: "alert-run-late",
        props: {
          ...base,
          ...runFields,
          scheduledTime: formatTime(run.scheduledTime) ?? line(run.scheduledTime, 60),
          lateBy: lateBy(run.scheduledTime, ctx.at),
        },
      };
    case "RunningTooLong":
      if (!run || !runFields) break;
      return {
        template: "alert-run-running-long",
        props: {
          ...base,
          ...runFields,
          threshold: ctx.thresholdMinutes == null ? "the limit" : minutes(ctx.thresholdMinutes),
          duration: run.durationSeconds == null ? null : formatDuration(run.durationSeconds),
          startTime: formatTime(run.startTime),
        },
      };
    case "Failed":
    case "Crashed":
    case "Cancelled":
      if (!run || !runFields) break;
      return {
        template: "alert-run-failed",
        props: {
          ...base,
          ...runFields,
          event: ctx.event,
          stateName: line(run.stateName, 80),
          duration: run.durationSeconds == null ? null : formatDuration(run.durationSeconds),
          attempt: Math.max(1, run.attempt),
          error: run.stateMessage ? cut(run.stateMessage, MAX_MESSAGE) : null,
          logLines: ctx.logLines.slice(-20).map((l) => cut(l, 1000)),
        },
      };
    case "Completed":
      break;
  }
  // Completed, and any event whose subject (run, deployment, agent) is gone by the time it is
  // sent: the run-completed frame with what is known, pointing at the automation.
  return {
    template: "alert-run-completed",
    props: {
      ...base,
      runName: runFields?.runName ?? "(deleted run)",
      url: runFields?.url ?? ctx.automation.url,
      flowName: runFields?.flowName ?? line(ctx.deployment?.flowName ?? "(unknown flow)", 200),
      deploymentName: runFields?.deploymentName ?? null,
      stateName: run ? line(run.stateName, 80) : ctx.event,
      duration: run?.durationSeconds == null ? null : formatDuration(run.durationSeconds),
      endTime: formatTime(run?.endTime),
    },
  };
}

/** More than 10 alerts to one address within a minute. */
export function digestEmail(items: AlertContext[], workspace: { name: string; slug: string }, workspaceUrl: string): AlertEmail<"alert-digest"> {
  const listed = items.slice(0, DIGEST_ITEMS);
  const first = items[0];
  const root = workspaceUrl.replace(/\/+$/, "");
  return {
    template: "alert-digest",
    props: {
      test: items.length > 0 && items.every((i) => i.test),
      workspaceName: line(workspace.name, 200),
      automationName: line(first?.automation.name ?? "(automation)", 200),
      automationUrl: first?.automation.url ?? `${root}/automations`,
      count: Math.max(1, items.length),
      summary: line(digestSummary(items), 500),
      items: listed.map((item) => digestItem(item, root)),
      moreCount: items.length - listed.length,
      url: `${root}/runs`,
    },
  };
}

/** To owners, when repeated 404/410 answers disabled a destination. */
export function destinationDisabledEmail(args: {
  workspaceName: string;
  automationName: string;
  automationUrl: string;
  target: string;
  reason: string;
}): AlertEmail<"alert-destination-disabled"> {
  return {
    template: "alert-destination-disabled",
    props: {
      workspaceName: line(args.workspaceName, 200),
      automationName: line(args.automationName, 200),
      url: args.automationUrl,
      target: line(args.target, 300),
      reason: args.reason.trim() ? line(args.reason, 1000) : "",
    },
  };
}

function digestItem(item: AlertContext, root: string) {
  const event = line(item.event, 40);
  if (item.run) {
    return {
      event,
      title: line(item.run.name, 200),
      url: item.run.url,
      detail: line([item.run.flowName, item.run.deploymentName, item.run.stateMessage].filter(Boolean).join(" · "), 400),
    };
  }
  if (item.deployment) return { event, title: line(item.deployment.name, 200), url: item.deployment.url, detail: line(item.deployment.flowName, 400) };
  if (item.agent) return { event, title: line(item.agent.name, 200), url: item.agent.url, detail: line(item.agent.poolName, 400) };
  return { event, title: line(item.automation.name, 200), url: item.automation.url || `${root}/automations`, detail: line(formatTime(item.at) ?? item.at, 400) };
}

function lateBy(scheduledTime: string, at: string): string | null {
  const seconds = (new Date(at).getTime() - new Date(scheduledTime).getTime()) / 1000;
  return Number.isFinite(seconds) && seconds > 0 ? formatDuration(seconds) : null;
}

function minutes(m: number): string {
  if (m % 60 === 0 && m >= 120) return `${m / 60} hours`;
  return `${m} minute${m === 1 ? "" : "s"}`;
}

/** One line of text for a subject or a label: control characters become spaces; never empty. */
function line(s: string, max: number): string {
  const flat = s.replace(/[\p{Cc}\s]+/gu, " ").trim();
  return cut(flat || "—", max);
}

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
