import type { AlertContext, AlertEventName } from "./alert-context";

/*
 * The message template of an automation: plain text with `{{ variable }}` placeholders. No
 * database access and no server-only imports, so the automation form can validate and preview a
 * template in the browser with the same code the notifier renders with.
 */

const MAX_TEMPLATE_LENGTH = 2000;
const PLACEHOLDER = "—";

type Variable = {
  name: string;
  description: string;
  value: (ctx: AlertContext) => string | null | undefined;
  /** What to show when there is no value; "—" unless a word reads better. */
  empty?: string;
};

const VARIABLES: Variable[] = [
  { name: "event", description: "What happened: Completed, Failed, Crashed, Cancelled, Late, RunningTooLong, NoSuccess or AgentOffline", value: (c) => c.event },
  { name: "url", description: "The page to look at: the run, else the deployment, else the agents page", value: (c) => c.run?.url ?? c.deployment?.url ?? c.agent?.url ?? c.automation.url },
  { name: "run.name", description: "The run's name, e.g. daring-lemur", value: (c) => c.run?.name },
  { name: "run.url", description: "Link to the run's page", value: (c) => c.run?.url },
  { name: "run.id", description: "The run's id", value: (c) => c.run?.id },
  { name: "run.attempt", description: "The run's attempt number (1 for the first try)", value: (c) => (c.run ? String(c.run.attempt) : null) },
  { name: "run.tags", description: "The run's tags, comma-separated", value: (c) => c.run?.tags.join(", "), empty: "(no tags)" },
  { name: "run.scheduled_time", description: "When the run was scheduled to start (UTC)", value: (c) => formatTime(c.run?.scheduledTime) },
  { name: "run.start_time", description: "When the run started (UTC)", value: (c) => formatTime(c.run?.startTime), empty: "(not started)" },
  { name: "flow.name", description: "The flow's name", value: (c) => c.run?.flowName ?? c.deployment?.flowName },
  { name: "deployment.name", description: "The deployment's name; empty for an ad-hoc run", value: (c) => (c.run ? c.run.deploymentName : c.deployment?.name), empty: "(no deployment)" },
  { name: "deployment.url", description: "Link to the deployment's page", value: (c) => c.deployment?.url },
  { name: "deployment.last_success", description: "When the deployment last completed a run (UTC)", value: (c) => formatTime(c.deployment?.lastSuccessAt), empty: "never" },
  { name: "state", description: "The run's state name, e.g. Failed, Late, Running", value: (c) => c.run?.stateName },
  { name: "message", description: "The state's message: the error of a failed or crashed run", value: (c) => c.run?.stateMessage, empty: "(no message)" },
  { name: "duration", description: "How long the run ran (or has been running), e.g. 4m 12s", value: (c) => (c.run?.durationSeconds == null ? null : formatDuration(c.run.durationSeconds)) },
  { name: "logs", description: "The run's last log lines, one per line", value: (c) => c.logLines.join("\n"), empty: "(no logs)" },
  { name: "threshold", description: "The automation's limit: e.g. 30 minutes (running longer than) or 6 hours (no success within)", value: threshold },
  { name: "agent.name", description: "The agent's name (agent offline)", value: (c) => c.agent?.name },
  { name: "agent.hostname", description: "The agent's host name (agent offline)", value: (c) => c.agent?.hostname },
  { name: "agent.pool", description: "The agent's work pool (agent offline)", value: (c) => c.agent?.poolName },
  { name: "agent.last_seen", description: "The agent's last heartbeat (UTC)", value: (c) => formatTime(c.agent?.lastHeartbeatAt) },
  { name: "workspace.name", description: "The workspace's name", value: (c) => c.workspace.name },
  { name: "automation.name", description: "This automation's name", value: (c) => c.automation.name },
  { name: "automation.url", description: "Link to this automation's page", value: (c) => c.automation.url },
  { name: "at", description: "When it happened (UTC)", value: (c) => formatTime(c.at) },
];

const byName = new Map(VARIABLES.map((v) => [v.name, v]));

/** The variables a message template may use, as listed in the automation form and docs/alerts.md. */
export const TEMPLATE_VARIABLES: { name: string; description: string }[] = VARIABLES.map(({ name, description }) => ({ name, description }));

const DEFAULTS: Record<AlertEventName, string> = {
  Completed: "Run {{run.name}} of {{flow.name}} completed in {{duration}}.",
  Failed: "Run {{run.name}} of {{flow.name}} failed after {{duration}}: {{message}}",
  Crashed: "Run {{run.name}} of {{flow.name}} crashed after {{duration}}: {{message}}",
  Cancelled: "Run {{run.name}} of {{flow.name}} was cancelled after {{duration}}.",
  Late: "Run {{run.name}} of {{flow.name}} is late: it was scheduled for {{run.scheduled_time}} and has not started.",
  Paused: "Run {{run.name}} of {{flow.name}} is waiting for your approval: {{message}} Answer at {{run.url}}",
  RunningTooLong: "Run {{run.name}} of {{flow.name}} has been running for {{duration}}, longer than {{threshold}}.",
  NoSuccess: "No Completed run of deployment {{deployment.name}} ({{flow.name}}) in the last {{threshold}}. Last success: {{deployment.last_success}}.",
  AgentOffline: "Agent {{agent.name}} ({{agent.hostname}}, pool {{agent.pool}}) stopped sending heartbeats. Last seen {{agent.last_seen}}.",
};

/** The message an automation sends when its template is left empty. */
export function defaultTemplate(event: AlertEventName): string {
  return DEFAULTS[event] ?? DEFAULTS.Failed;
}

// `{{ name }}`: spaces optional; anything between the braces is looked up, so typos are reported.
const TOKEN = /\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * Fills in a template. Empty → the default for the event. A variable with no value renders as a
 * placeholder ("—", or e.g. "(no deployment)"); an unknown one is left as written (saved templates
 * were validated, so that only happens if a variable is ever removed). Never throws.
 */
export function renderMessageTemplate(template: string | null | undefined, ctx: AlertContext): string {
  const source = template && template.trim() ? template : defaultTemplate(ctx.event);
  return source.replace(TOKEN, (whole, name: string) => {
    const variable = byName.get(name);
    if (!variable) return whole;
    let value: string | null | undefined;
    try {
      value = variable.value(ctx);
    } catch {
      value = null;
    }
    return value == null || value === "" ? (variable.empty ?? PLACEHOLDER) : value;
  });
}

/** null when the template is fine; otherwise an error a person can act on. */
export function validateMessageTemplate(template: string): string | null {
  if (template.length > MAX_TEMPLATE_LENGTH) {
    return `The message template is ${template.length.toLocaleString("en-US")} characters long; the limit is ${MAX_TEMPLATE_LENGTH.toLocaleString("en-US")}. Shorten it, e.g. use {{logs}} instead of pasting text.`;
  }
  const unknown: string[] = [];
  let empty = false;
  for (const match of template.matchAll(TOKEN)) {
    if (match[1] === "") empty = true;
    else if (!byName.has(match[1]) && !unknown.includes(match[1])) unknown.push(match[1]);
  }
  const rest = template.replace(TOKEN, "");
  if (rest.includes("{{") || rest.includes("}}")) {
    const at = Math.min(...["{{", "}}"].map((b) => rest.indexOf(b)).filter((i) => i >= 0));
    return `Unbalanced braces near "${rest.slice(Math.max(0, at - 10), at + 12).trim()}": write a variable as {{ run.name }}, with two braces on each side.`;
  }
  if (empty) return `Empty variable {{ }}. Use one of: ${variableList()}.`;
  if (unknown.length > 0) {
    const named = unknown.map((n) => {
      const close = closest(n);
      return close ? `{{${n}}} (did you mean {{${close}}}?)` : `{{${n}}}`;
    });
    return `Unknown variable${unknown.length > 1 ? "s" : ""} ${named.join(", ")}. Use one of: ${variableList()}.`;
  }
  return null;
}

function variableList(): string {
  return VARIABLES.map((v) => `{{${v.name}}}`).join(", ");
}

function closest(name: string): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const v of VARIABLES) {
    const d = editDistance(name.toLowerCase(), v.name);
    if (d < bestDistance) [best, bestDistance] = [v.name, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

function threshold(ctx: AlertContext): string | null {
  if (ctx.event === "NoSuccess" && ctx.deployment) return plural(ctx.deployment.hours, "hour");
  if (ctx.thresholdMinutes == null) return null;
  const m = ctx.thresholdMinutes;
  return m % 60 === 0 && m >= 120 ? plural(m / 60, "hour") : plural(m, "minute");
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** "12s", "4m 12s", "2h 03m", "3d 04h": as the run pages show durations. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return `${total}s`;
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (d > 0) return `${d}d ${pad(h)}h`;
  if (h > 0) return `${h}h ${pad(m)}m`;
  return `${m}m ${pad(s)}s`;
}

/** "2026-11-26 14:03 UTC": one unambiguous form for every reader of an alert, whatever their locale. */
export function formatTime(iso: string | null | undefined): string | null {
  if (!iso) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
