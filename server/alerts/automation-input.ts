import { z } from "zod";
import { ALERT_DELIVERY_STATUSES, ALERT_RUN_EVENTS, AUTOMATION_TRIGGER_KINDS } from "../db/schema/alerts";
import { ROLES } from "../db/schema/workspaces";

/**
 * What the automations form and API send, and what they get back. The zod schemas check only
 * shapes; the rules (a run_state trigger needs a state, an email needs a recipient, …) are checked
 * in `validateAutomation` so every problem comes back at once, keyed by field, with a sentence.
 */

/** Sent back in place of a Slack or webhook URL to keep the stored one (the browser never sees it). */
export const KEEP_SECRET = "keep";

export const MAX_ACTIONS = 10;
export const MAX_EMAIL_ADDRESSES = 50;
export const RUNNING_LONGER_MAX_MINUTES = 10_080;
export const NO_SUCCESS_MAX_HOURS = 720;

const id = z.uuid();

export const automationActionInputSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("email"),
    id: id.optional(),
    userIds: z.array(id).max(500).default([]),
    roles: z.array(z.string().max(32)).max(4).default([]),
    addresses: z.array(z.string().max(320)).max(500).default([]),
  }),
  z.object({ kind: z.literal("slack"), id: id.optional(), url: z.string().max(2000) }),
  z.object({ kind: z.literal("webhook"), id: id.optional(), url: z.string().max(2000) }),
]);
export type AutomationActionInput = z.output<typeof automationActionInputSchema>;

export const automationInputSchema = z.object({
  name: z.string().max(200),
  enabled: z.boolean().default(true),
  triggerKind: z.enum(AUTOMATION_TRIGGER_KINDS),
  /** run_state: the events that fire it. */
  states: z.array(z.string().max(32)).max(ALERT_RUN_EVENTS.length).default([]),
  /** running_longer: minutes. */
  minutes: z.number().nullish(),
  /** no_success: hours. It watches the (unpaused) deployments its filters pick: at least one filter is required. */
  hours: z.number().nullish(),
  /** Empty = any. For no_success they pick deployments (by id, flow, tags); agent_offline takes none. */
  flowIds: z.array(id).max(200).default([]),
  deploymentIds: z.array(id).max(200).default([]),
  tags: z.array(z.string().max(100)).max(50).default([]),
  /** Null or blank: the default message for the trigger. */
  template: z.string().max(10_000).nullish(),
  actions: z.array(automationActionInputSchema).max(50),
});
export type AutomationInput = z.output<typeof automationInputSchema>;

export const destinationSchema = z.object({
  id: z.string(),
  kind: z.enum(["email", "slack", "webhook"]),
  /** A display hint ("hooks.slack.com/…/x7Qa", "example.com/…", "2 members, owners"); never the URL. */
  target: z.string(),
  recipients: z.object({ userIds: z.array(z.string()), roles: z.array(z.string()), addresses: z.array(z.string()) }).nullable(),
  disabledAt: z.string().nullable(),
  disabledReason: z.string().nullable(),
  consecutiveGone: z.number(),
});
export type DestinationView = z.infer<typeof destinationSchema>;

export const automationSchema = z.object({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  triggerKind: z.enum(AUTOMATION_TRIGGER_KINDS),
  states: z.array(z.string()),
  minutes: z.number().nullable(),
  hours: z.number().nullable(),
  flowIds: z.array(z.string()),
  deploymentIds: z.array(z.string()),
  tags: z.array(z.string()),
  template: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  destinations: z.array(destinationSchema),
  lastDelivery: z.object({ status: z.enum(ALERT_DELIVERY_STATUSES), kind: z.string(), createdAt: z.string(), sentAt: z.string().nullable() }).nullable(),
});
export type AutomationView = z.infer<typeof automationSchema>;

/** A webhook signing secret, shown once: after creating a webhook action or rotating its secret. */
export const newSecretSchema = z.object({ destinationId: z.string(), target: z.string(), secret: z.string() });

export const automationSavedSchema = z.object({ automation: automationSchema, newSecrets: z.array(newSecretSchema) });

export type FieldErrors = Record<string, string[]>;

const EMAIL_RE = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/**
 * Checks what needs no database: field → messages. Keys: name, states, minutes, hours,
 * deploymentIds, actions, `actions.<i>` (an action's own problem), template is checked by the caller.
 */
export function validateAutomationShape(input: AutomationInput): FieldErrors {
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);

  if (!input.name.trim()) add("name", "Give the automation a name, e.g. “Nightly ETL failed”.");
  switch (input.triggerKind) {
    case "run_state": {
      if (input.states.length === 0) add("states", "Choose at least one state: Completed, Failed, Crashed, Cancelled or Late.");
      const unknown = input.states.filter((s) => !(ALERT_RUN_EVENTS as readonly string[]).includes(s));
      if (unknown.length) add("states", `Unknown state ${unknown.join(", ")}: use ${ALERT_RUN_EVENTS.join(", ")}.`);
      break;
    }
    case "running_longer":
      if (!isWholeIn(input.minutes, 1, RUNNING_LONGER_MAX_MINUTES)) add("minutes", `Enter whole minutes from 1 to ${RUNNING_LONGER_MAX_MINUTES} (7 days).`);
      break;
    case "no_success":
      if (!isWholeIn(input.hours, 1, NO_SUCCESS_MAX_HOURS)) add("hours", `Enter whole hours from 1 to ${NO_SUCCESS_MAX_HOURS} (30 days).`);
      // "Any deployment" would include deployments that only run by hand, and each would alert every window.
      if (input.deploymentIds.length + input.flowIds.length + input.tags.length === 0) {
        add("deploymentIds", "Choose what to watch: “no success” needs at least one deployment (or a flow or tag that picks deployments), so deployments that only run by hand do not alert every window.");
      }
      break;
    case "agent_offline":
      break;
  }

  if (input.actions.length === 0) add("actions", "Add at least one action: an email, a Slack webhook or a webhook.");
  if (input.actions.length > MAX_ACTIONS) add("actions", `At most ${MAX_ACTIONS} actions per automation.`);
  const ids = input.actions.map((a) => a.id).filter(Boolean);
  if (new Set(ids).size !== ids.length) add("actions", "The same action is listed twice.");
  input.actions.forEach((action, i) => {
    const field = `actions.${i}`;
    if (action.kind === "email") {
      if (action.userIds.length + action.roles.length + action.addresses.length === 0) add(field, "Choose at least one member, role or address to email.");
      const badRoles = action.roles.filter((r) => !(ROLES as readonly string[]).includes(r));
      if (badRoles.length) add(field, `Unknown role ${badRoles.join(", ")}: use ${ROLES.join(", ")}.`);
      if (action.addresses.length > MAX_EMAIL_ADDRESSES) add(field, `At most ${MAX_EMAIL_ADDRESSES} addresses per email action.`);
      const badAddresses = action.addresses.filter((a) => !EMAIL_RE.test(a));
      if (badAddresses.length) add(field, `Not an email address: ${badAddresses.slice(0, 3).join(", ")}${badAddresses.length > 3 ? ", …" : ""}.`);
    } else if (action.url.trim() === KEEP_SECRET && !action.id) {
      add(field, `Paste the ${action.kind === "slack" ? "Slack webhook" : "webhook"} URL.`);
    } else if (!action.url.trim()) {
      add(field, `Paste the ${action.kind === "slack" ? "Slack webhook" : "webhook"} URL.`);
    }
  });
  return errors;
}

function isWholeIn(n: number | null | undefined, min: number, max: number): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= min && n <= max;
}

/** Lower-cased, trimmed, de-duplicated addresses: what an email action stores. */
export function normalizeAddresses(addresses: string[]): string[] {
  return [...new Set(addresses.map((a) => a.trim().toLowerCase()).filter(Boolean))];
}

/** Slack incoming webhooks live at hooks.slack.com/services/…; checked unless private webhooks are allowed. */
export function looksLikeSlackWebhook(url: URL): boolean {
  return (url.hostname === "hooks.slack.com" || url.hostname === "hooks.slack-gov.com") && /^\/services\/[^/]+\/[^/]+\/[^/]+/.test(url.pathname);
}
