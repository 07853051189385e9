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
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** One line: `{ from, to }` as "viewer → developer", other fields as "role: developer, prefix: bt_AbC12". */
export function summariseDetails(details: Record<string, unknown> | null): string {
  if (!details) return "";
  if ("from" in details && "to" in details && Object.keys(details).length === 2) return describeValue(details);
  return Object.entries(details)
    .map(([key, value]) => `${key.replace(/([A-Z])/g, " $1").toLowerCase()}: ${describeValue(value)}`)
    .join(", ");
}
