const ACTIONS: Record<string, string> = {
  "workspace.created": "created workspace",
  "workspace.updated": "updated workspace",
  "member.role_changed": "changed role of",
  "member.removed": "removed member",
  "member.left": "left the workspace",
  "invitation.created": "invited",
  "invitation.revoked": "revoked the invitation for",
  "invitation.accepted": "joined by invitation",
  "api_key.created": "created API key",
  "api_key.revoked": "revoked API key",
  "cli_login.approved": "approved CLI login",
  "cli_login.denied": "denied CLI login",
  "deployment.created": "created deployment",
  "deployment.updated": "updated deployment",
  "deployment.paused": "paused deployment",
  "deployment.resumed": "resumed deployment",
  "deployment.deleted": "deleted deployment",
  "schedule.created": "added a schedule to",
  "schedule.updated": "changed a schedule of",
  "schedule.deleted": "removed a schedule from",
  "schedule.activated": "activated a schedule of",
  "schedule.deactivated": "deactivated a schedule of",
  "work_pool.created": "created work pool",
  "work_pool.updated": "updated work pool",
  "work_pool.paused": "paused work pool",
  "work_pool.resumed": "resumed work pool",
  "work_pool.concurrency_limit_changed": "changed the concurrency limit of work pool",
  "automation.created": "created automation",
  "automation.updated": "updated automation",
  "automation.enabled": "enabled automation",
  "automation.disabled": "disabled automation",
  "automation.deleted": "deleted automation",
  "automation.action_reenabled": "re-enabled an action of automation",
  "automation.secret_rotated": "rotated a webhook secret of automation",
  "run.created": "started run",
  "run.cancelled": "cancelled run",
  "run.retried": "retried run",
  "secret.created": "created secret",
  "secret.changed": "replaced the value of secret",
  "secret.deleted": "deleted secret",
  "secret.read": "read secret",
  "variable.created": "created variable",
  "variable.changed": "changed variable",
  "variable.deleted": "deleted variable",
  "incoming_webhook.created": "created incoming webhook",
  "incoming_webhook.changed": "changed incoming webhook",
  "incoming_webhook.rotated": "rotated the URL of incoming webhook",
  "incoming_webhook.deleted": "deleted incoming webhook",
};

/** "member.role_changed" → "changed role of"; actions without wording yet read as "deployment created". */
export function describeAction(action: string): string {
  return ACTIONS[action] ?? action.replace(/[._]/g, " ");
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "none";
  if (typeof value === "object" && !Array.isArray(value) && "from" in value && "to" in value) {
    return `${describeValue(value.from)} → ${describeValue(value.to)}`;
  }
  if (Array.isArray(value)) return value.map(describeValue).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** One line: `{ from, to }` as "viewer → developer", lists as "tags, retries", other fields as "role: developer, prefix: bt_AbC12". */
export function summariseDetails(details: Record<string, unknown> | null): string {
  if (!details) return "";
  if ("from" in details && "to" in details && Object.keys(details).length === 2) return describeValue(details);
  return Object.entries(details)
    .map(([key, value]) => `${key.replace(/([A-Z])/g, " $1").toLowerCase()}: ${describeValue(value)}`)
    .join(", ");
}
