import { z } from "zod";

/**
 * Automations on the wire: what the browser (tRPC) and API clients (`/api/v1/automations`) send
 * and get back. The schemas check shapes; the server checks the rules (a run-state trigger needs a
 * state, an email needs a recipient, …) and answers every problem at once, keyed by field.
 */

export const AUTOMATION_TRIGGER_KINDS = ["run_state", "running_longer", "no_success", "agent_offline"] as const;
export type AutomationTriggerKind = (typeof AUTOMATION_TRIGGER_KINDS)[number];
/** The run events a `run_state` automation can name: the terminal state types plus Late. */
export const ALERT_RUN_EVENTS = ["Completed", "Failed", "Crashed", "Cancelled", "Late", "Paused"] as const;
export type AlertRunEvent = (typeof ALERT_RUN_EVENTS)[number];
/** Actions that notify someone. */
export const NOTIFY_ACTION_KINDS = ["email", "slack", "webhook"] as const;
/**
 * Actions that act on Baton itself, delivered through the same outbox: once per event, after the
 * state that fired them committed (docs/automations.md "Actions that act").
 */
export const ACT_ACTION_KINDS = ["run_deployment", "pause_deployment", "resume_deployment", "cancel_runs", "pause_work_pool", "resume_work_pool"] as const;
export type ActActionKind = (typeof ACT_ACTION_KINDS)[number];
export const ALERT_DESTINATION_KINDS = [...NOTIFY_ACTION_KINDS, ...ACT_ACTION_KINDS] as const;
export type AlertDestinationKind = (typeof ALERT_DESTINATION_KINDS)[number];
export const isActAction = (kind: string): kind is ActActionKind => (ACT_ACTION_KINDS as readonly string[]).includes(kind);
/** cancel_runs: the run whose event fired it, or the other active runs of its deployment. */
export const CANCEL_RUNS_WHICH = ["triggering", "deployment_others"] as const;
/** An automation-started run that would be the 11th link of a chain (A starts B starts A …) is not started. */
export const MAX_AUTOMATION_CHAIN = 10;

/** What a "run a deployment" parameter template may name, by trigger (docs/automations.md). */
export function templateRoots(trigger: AutomationTriggerKind): string[] {
  switch (trigger) {
    case "run_state":
    case "running_longer":
      return ["run", "flow", "deployment", "automation", "event"];
    case "no_success":
      return ["deployment", "flow", "automation", "event"];
    case "agent_offline":
      return ["agent", "automation", "event"];
  }
}

/**
 * What an acting action keeps (alert_destinations.config). A null deployment or pool means the one
 * of the run (or deployment, or agent) whose event fired the automation.
 */
export type ActionConfig =
  | { kind: "run_deployment"; deploymentId: string; parameters: Record<string, unknown> }
  | { kind: "pause_deployment" | "resume_deployment"; deploymentId: string | null }
  | { kind: "cancel_runs"; which: (typeof CANCEL_RUNS_WHICH)[number] }
  | { kind: "pause_work_pool" | "resume_work_pool"; workPoolId: string | null };
export const ALERT_DELIVERY_STATUSES = ["pending", "sent", "failed", "coalesced", "skipped"] as const;
export type AlertDeliveryStatus = (typeof ALERT_DELIVERY_STATUSES)[number];

/** Sent back in place of a Slack or webhook URL to keep the stored one (the browser never sees it). */
export const KEEP_SECRET = "keep";

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
  z.object({
    kind: z.literal("run_deployment"),
    id: id.optional(),
    deploymentId: id,
    parameters: z
      .record(z.string(), z.unknown())
      .default({})
      .meta({ description: 'A parameter template over the event, e.g. { "date": "{{ run.parameters.date }}" }; the deployment\'s defaults fill the rest' }),
  }),
  z.object({ kind: z.literal("pause_deployment"), id: id.optional(), deploymentId: id.nullable().default(null).meta({ description: "Null: the triggering run's deployment" }) }),
  z.object({ kind: z.literal("resume_deployment"), id: id.optional(), deploymentId: id.nullable().default(null).meta({ description: "Null: the triggering run's deployment" }) }),
  z.object({ kind: z.literal("cancel_runs"), id: id.optional(), which: z.enum(CANCEL_RUNS_WHICH).default("triggering") }),
  z.object({ kind: z.literal("pause_work_pool"), id: id.optional(), workPoolId: id.nullable().default(null).meta({ description: "Null: the triggering run's (or agent's) pool" }) }),
  z.object({ kind: z.literal("resume_work_pool"), id: id.optional(), workPoolId: id.nullable().default(null).meta({ description: "Null: the triggering run's (or agent's) pool" }) }),
]).meta({
  id: "AutomationActionInput",
  description:
    "An action: email (members, roles, addresses), a Slack incoming webhook URL, a webhook URL; or one that acts: run a deployment (with a parameter template), pause or resume a deployment, cancel runs, pause or resume a work pool. Send an existing action's id (and url \"keep\") to keep it and its stored URL.",
});
export type AutomationActionInput = z.output<typeof automationActionInputSchema>;
export type ActActionInput = Extract<AutomationActionInput, { kind: ActActionKind }>;
export const isActActionInput = (a: AutomationActionInput): a is ActActionInput => isActAction(a.kind);

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
}).meta({ id: "AutomationInput", description: "A trigger, filters and actions" });
export type AutomationInput = z.output<typeof automationInputSchema>;

export const destinationSchema = z.object({
  id: z.string(),
  kind: z.enum(ALERT_DESTINATION_KINDS),
  /** A display hint ("hooks.slack.com/…/x7Qa", "example.com/…", "2 members, owners"); never the URL. */
  target: z.string(),
  recipients: z.object({ userIds: z.array(z.string()), roles: z.array(z.string()), addresses: z.array(z.string()) }).nullable(),
  disabledAt: z.string().nullable(),
  disabledReason: z.string().nullable(),
  consecutiveGone: z.number(),
  /** Acting actions: what they act on (deployment and pool ids, the parameter template); null for notifications. */
  config: z.record(z.string(), z.unknown()).nullable().optional(),
  /**
   * Email actions: where each listed address stands. A member's address is sent to as a member;
   * any other receives nothing until it confirmed through the mail Baton sent it.
   */
  addressStatuses: z.array(z.object({ address: z.string(), status: z.enum(["member", "waiting", "confirmed", "unsubscribed"]) })).optional(),
}).meta({ id: "AutomationAction" });
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
  /** Made by `triggers:` in this deployment's baton.yaml: the next `baton deploy` replaces changes made elsewhere. */
  managedByDeploymentId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  destinations: z.array(destinationSchema),
  lastDelivery: z.object({ status: z.enum(ALERT_DELIVERY_STATUSES), kind: z.string(), createdAt: z.string(), sentAt: z.string().nullable() }).nullable(),
}).meta({ id: "Automation", description: "An automation; Slack and webhook URLs are never returned, only a hint" });
export type AutomationView = z.infer<typeof automationSchema>;

/** A webhook signing secret, shown once: after creating a webhook action or rotating its secret. */
export const newSecretSchema = z.object({ destinationId: z.string(), target: z.string(), secret: z.string() }).meta({ id: "WebhookSecret" });

export const automationSavedSchema = z
  .object({ automation: automationSchema, newSecrets: z.array(newSecretSchema).meta({ description: "Signing secrets of new webhook actions, shown this once" }) })
  .meta({ id: "AutomationSaved" });

