import "server-only";
import type { AlertContext, AlertEventName } from "./alert-context";
import { formatDuration, formatTime } from "./message-template";

/*
 * Slack Block Kit messages for incoming webhooks. Slack refuses a whole message when one block
 * breaks a limit, so every piece of text is cut to fit: header ≤ 150 characters, section text
 * ≤ 3,000, a field ≤ 2,000 and ≤ 10 fields, button text ≤ 75 and url ≤ 3,000, ≤ 50 blocks.
 */

export const SLACK_LIMITS = { header: 150, sectionText: 3000, field: 2000, fields: 10, buttonText: 75, url: 3000, blocks: 50 } as const;

const LOG_LINES = 10;
const LOG_LINE_CHARS = 300;
/** A digest names each run it carries (a burst of 50 failures lists all 50), across several sections. */
const DIGEST_LINES = 100;
const DIGEST_SECTIONS = 8;

const EMOJI: Record<AlertEventName, string> = {
  Completed: ":white_check_mark:",
  Failed: ":x:",
  Crashed: ":boom:",
  Cancelled: ":no_entry_sign:",
  Late: ":hourglass_flowing_sand:",
  Paused: ":raised_hand:",
  RunningTooLong: ":stopwatch:",
  NoSuccess: ":warning:",
  AgentOffline: ":electric_plug:",
};

const LABEL: Record<AlertEventName, string> = {
  Completed: "Completed",
  Failed: "Failed",
  Crashed: "Crashed",
  Cancelled: "Cancelled",
  Late: "Late",
  Paused: "Waiting for approval",
  RunningTooLong: "Running too long",
  NoSuccess: "No success",
  AgentOffline: "Agent offline",
};

type Block = Record<string, unknown>;

/** One alert as a Slack message; `message` is the rendered template, also the notification text. */
export function slackMessage(ctx: AlertContext, message: string): { text: string; blocks: unknown[] } {
  const prefix = ctx.test ? "Test: " : "";
  const blocks: Block[] = [
    { type: "header", text: plain(`${prefix}${EMOJI[ctx.event] ?? ""} ${LABEL[ctx.event] ?? ctx.event}: ${subjectOf(ctx)}`, SLACK_LIMITS.header) },
    section(escape(message) || "_(empty message)_"),
  ];

  const fields = fieldsOf(ctx).slice(0, SLACK_LIMITS.fields);
  if (fields.length > 0) {
    blocks.push({ type: "section", fields: fields.map(([label, value]) => mrkdwn(`*${label}*\n${value}`, SLACK_LIMITS.field)) });
  }

  const error = ctx.run?.stateMessage;
  if (error && (ctx.event === "Failed" || ctx.event === "Crashed")) blocks.push(codeSection("Error", error.split("\n"), "head"));
  if (ctx.logLines.length > 0) blocks.push(codeSection("Last log lines", ctx.logLines.slice(-LOG_LINES), "tail"));

  const action = actionOf(ctx);
  blocks.push({ type: "actions", elements: [button(action.label, action.url, ctx.event === "Failed" || ctx.event === "Crashed")] });
  blocks.push({
    type: "context",
    elements: [mrkdwn(`Automation ${link(ctx.automation.url, ctx.automation.name)} · ${escape(ctx.workspace.name)} · ${formatTime(ctx.at) ?? ctx.at}`, SLACK_LIMITS.sectionText)],
  });

  return { text: cut(`${prefix}${message}`, SLACK_LIMITS.sectionText), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/** Many alerts to one destination within a minute, as one message. */
export function slackDigestMessage(
  items: AlertContext[],
  workspace: { name: string; slug: string },
  workspaceUrl: string,
): { text: string; blocks: unknown[] } {
  const summary = digestSummary(items);
  const prefix = items.length > 0 && items.every((i) => i.test) ? "Test: " : "";
  const text = `${prefix}${summary}`;

  const sections: string[][] = [[]];
  let length = 0;
  let listed = 0;
  for (const item of items.slice(0, DIGEST_LINES)) {
    const line = `${EMOJI[item.event] ?? "•"} ${digestLine(item)}`;
    // Leave room for the "and N more" line.
    if (length + line.length + 1 > SLACK_LIMITS.sectionText - 40) {
      if (sections.length === DIGEST_SECTIONS) break;
      sections.push([]);
      length = 0;
    }
    sections[sections.length - 1].push(line);
    length += line.length + 1;
    listed++;
  }
  const more = items.length - listed;
  if (more > 0) sections[sections.length - 1].push(`_and ${more} more_`);

  const blocks: Block[] = [
    { type: "header", text: plain(`${prefix}:bell: ${plural(items.length, "alert")} in ${workspace.name}`, SLACK_LIMITS.header) },
    section(escape(summary)),
  ];
  for (const lines of sections) if (lines.length > 0) blocks.push(section(lines.join("\n")));
  blocks.push({ type: "actions", elements: [button("View runs", `${workspaceUrl.replace(/\/+$/, "")}/runs`, false)] });
  const automations = [...new Map(items.map((i) => [i.automation.id, i.automation])).values()];
  if (automations.length > 0) {
    blocks.push({
      type: "context",
      elements: [mrkdwn(`Automation ${automations.slice(0, 5).map((a) => link(a.url, a.name)).join(", ")} · more than 10 alerts within a minute are sent as one message`, SLACK_LIMITS.sectionText)],
    });
  }
  return { text: cut(text, SLACK_LIMITS.sectionText), blocks };
}

/** "12 alerts in the last minute: 10 Failed, 2 Crashed", most frequent first. */
export function digestSummary(items: AlertContext[]): string {
  const counts = new Map<AlertEventName, number>();
  for (const item of items) counts.set(item.event, (counts.get(item.event) ?? 0) + 1);
  const order = Object.keys(LABEL) as AlertEventName[];
  const parts = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || order.indexOf(a[0]) - order.indexOf(b[0]))
    .map(([event, n]) => `${n} ${LABEL[event] ?? event}`);
  return `${plural(items.length, "alert")} in the last minute${parts.length ? `: ${parts.join(", ")}` : ""}`;
}

function digestLine(item: AlertContext): string {
  if (item.run) {
    const details = [item.run.flowName, item.run.deploymentName, LABEL[item.event] ?? item.event].filter(Boolean).join(" · ");
    return `${link(item.run.url, item.run.name)} ${escape(cut(details, 200))}`;
  }
  if (item.deployment) return `${link(item.deployment.url, item.deployment.name)} ${escape(`${item.deployment.flowName} · ${LABEL[item.event] ?? item.event}`)}`;
  if (item.agent) return `${link(item.agent.url, item.agent.name)} ${escape(`${item.agent.poolName} · ${LABEL[item.event] ?? item.event}`)}`;
  return `${link(item.automation.url, item.automation.name)} ${escape(LABEL[item.event] ?? item.event)}`;
}

function subjectOf(ctx: AlertContext): string {
  if (ctx.run) return `${ctx.run.flowName} / ${ctx.run.name}`;
  if (ctx.deployment) return `${ctx.deployment.flowName} / ${ctx.deployment.name}`;
  if (ctx.agent) return ctx.agent.name;
  return ctx.automation.name;
}

function fieldsOf(ctx: AlertContext): [string, string][] {
  const fields: [string, string][] = [];
  const run = ctx.run;
  if (run) {
    fields.push(["Flow", escape(run.flowName)]);
    fields.push(["Deployment", run.deploymentName ? escape(run.deploymentName) : "_(none: ad-hoc run)_"]);
    fields.push(["Run", link(run.url, run.name)]);
    fields.push(["State", escape(run.stateName)]);
    fields.push(["Duration", run.durationSeconds == null ? "_(not started)_" : formatDuration(run.durationSeconds)]);
    if (ctx.event === "Late") fields.push(["Scheduled for", formatTime(run.scheduledTime) ?? run.scheduledTime]);
    if (ctx.event === "RunningTooLong" && ctx.thresholdMinutes != null) fields.push(["Threshold", `${ctx.thresholdMinutes} min`]);
    if (run.attempt > 1) fields.push(["Attempt", String(run.attempt)]);
    if (run.tags.length > 0) fields.push(["Tags", escape(run.tags.join(", "))]);
  } else if (ctx.deployment) {
    const d = ctx.deployment;
    fields.push(["Deployment", link(d.url, d.name)]);
    fields.push(["Flow", escape(d.flowName)]);
    fields.push(["Window", plural(d.hours, "hour")]);
    fields.push(["Last success", formatTime(d.lastSuccessAt) ?? "never"]);
  }
  if (ctx.agent) {
    const a = ctx.agent;
    fields.push(["Agent", link(a.url, a.name)]);
    fields.push(["Hostname", a.hostname ? escape(a.hostname) : "_(unknown)_"]);
    fields.push(["Pool", escape(a.poolName)]);
    fields.push(["Last heartbeat", formatTime(a.lastHeartbeatAt) ?? a.lastHeartbeatAt]);
  }
  return fields;
}

function actionOf(ctx: AlertContext): { label: string; url: string } {
  if (ctx.run) return { label: "View run", url: ctx.run.url };
  if (ctx.deployment) return { label: "View deployment", url: ctx.deployment.url };
  if (ctx.agent) return { label: "View agents", url: ctx.agent.url };
  return { label: "View automation", url: ctx.automation.url };
}

/**
 * A titled code block that fits one section. Error messages keep their beginning (where the
 * exception is named), logs keep their end (where the run stopped).
 */
function codeSection(title: string, lines: string[], keep: "head" | "tail"): Block {
  const fence = "```";
  const budget = SLACK_LIMITS.sectionText - title.length - 20;
  const raw = lines.map((l) => (keep === "tail" ? cut(l, LOG_LINE_CHARS) : l).replaceAll(fence, "ˋˋˋ")).join("\n");
  const body = fitEscaped(raw, budget, keep);
  return section(`*${title}*\n${fence}\n${body.trim() ? body : " "}\n${fence}`);
}

/** Escapes `raw` for mrkdwn and cuts it (by whole characters, never inside an entity) to `budget`. */
function fitEscaped(raw: string, budget: number, keep: "head" | "tail"): string {
  const all = escape(raw);
  if (all.length <= budget) return all;
  let used = 1; // the ellipsis
  if (keep === "head") {
    let i = 0;
    for (; i < raw.length && used + escape(raw[i]).length <= budget; i++) used += escape(raw[i]).length;
    return `${escape(raw.slice(0, i))}…`;
  }
  let i = raw.length;
  for (; i > 0 && used + escape(raw[i - 1]).length <= budget; i--) used += escape(raw[i - 1]).length;
  return `…${escape(raw.slice(i))}`;
}

function section(text: string): Block {
  return { type: "section", text: mrkdwn(text, SLACK_LIMITS.sectionText) };
}

function mrkdwn(text: string, max: number) {
  if (text.length <= max) return { type: "mrkdwn", text };
  let cutText = `${trimEntity(text.slice(0, max - 1))}…`;
  // A cut inside a code block would leave it open and the rest of the message shown as code.
  if ((cutText.match(/```/g) ?? []).length % 2 === 1) cutText = `${trimEntity(text.slice(0, max - 5))}…\n\`\`\``;
  return { type: "mrkdwn", text: cutText };
}

function plain(text: string, max: number) {
  return { type: "plain_text", text: cut(text.replace(/\s+/g, " ").trim(), max), emoji: true };
}

function button(label: string, url: string, danger: boolean) {
  return {
    type: "button",
    text: plain(label, SLACK_LIMITS.buttonText),
    url: url.slice(0, SLACK_LIMITS.url),
    ...(danger ? { style: "danger" } : { style: "primary" }),
  };
}

function link(url: string, label: string): string {
  return `<${url.replace(/[<>|]/g, encodeURIComponent)}|${escape(cut(label, 200)).replaceAll("|", "¦")}>`;
}

/** Slack's mrkdwn needs &, < and > escaped; nothing else. */
function escape(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** After cutting escaped text, drop a half-cut "&am" so Slack doesn't show it. */
function trimEntity(s: string): string {
  return s.replace(/&[a-z]{0,4}$/, "");
}

function cut(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}
