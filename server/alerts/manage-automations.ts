import "server-only";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db, Queryable } from "../db/client";
import { alertDestinations, automations, deployments, flows, memberships, type AlertDestination, type Automation, type EmailRecipients } from "../db/schema";
import { AppError } from "../errors";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import { notifyLive } from "../live/notify-live";
import { decryptSecret, encryptSecret } from "../security/secret-box";
import { checkOutboundUrl } from "../security/outbound-url";
import { env } from "../env";
import { validateMessageTemplate } from "./message-template";
import { generateWebhookSecret } from "./webhook-signature";
import { prepareActActionConfig } from "./act-action-config";
import { isActActionInput, KEEP_SECRET, type ActionConfig, type AutomationActionInput, type AutomationInput, type AutomationView, type DestinationView } from "../../agent/protocol/automations";
import { looksLikeSlackWebhook, normalizeAddresses, validateAutomationShape, type FieldErrors } from "./automation-input";
import { serializeAutomations, serializeDestination } from "./automation-view";
import { requestAddressConfirmations } from "./alert-email-subscriptions";

/**
 * Automations and their actions (destinations), always within one workspace: an id of another
 * workspace is NOT_FOUND. Slack and webhook URLs and webhook signing secrets are stored only
 * encrypted and never returned; a signing secret is returned once, when it is made.
 */

type NewSecret = { destinationId: string; target: string; secret: string };
type Saved = { automation: AutomationView; newSecrets: NewSecret[] };

export async function listAutomations(db: Db, workspaceId: string): Promise<AutomationView[]> {
  const rows = await db.select().from(automations).where(eq(automations.workspaceId, workspaceId)).orderBy(asc(automations.name), asc(automations.createdAt));
  return serializeAutomations(db, workspaceId, rows);
}

export async function getAutomation(db: Queryable, workspaceId: string, automationId: string): Promise<AutomationView> {
  const row = await findAutomation(db, workspaceId, automationId);
  return (await serializeAutomations(db, workspaceId, [row]))[0];
}

/** Who changes an automation, in which workspace: every change is written to the audit log. */
export type AutomationCtx = { workspaceId: string; actor: Actor };

export async function createAutomation(db: Db, ctx: AutomationCtx, input: AutomationInput): Promise<Saved> {
  const prepared = await prepare(db, ctx.workspaceId, input, [], ctx.actor.userId);
  const id = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(automations)
      .values({ workspaceId: ctx.workspaceId, createdBy: ctx.actor.userId, ...prepared.fields })
      .returning({ id: automations.id });
    await writeDestinations(tx, ctx.workspaceId, row.id, [], prepared.destinations);
    await audit(tx, ctx, "automation.created", row.id, prepared.fields.name);
    return row.id;
  });
  return { automation: await getAutomation(db, ctx.workspaceId, id), newSecrets: newSecretsOf(prepared.destinations) };
}

/** Replaces the trigger, filters and actions. Actions sent with their id keep their history (and, with "keep", their URL). */
export async function updateAutomation(db: Db, ctx: AutomationCtx, automationId: string, input: AutomationInput): Promise<Saved> {
  const { workspaceId } = ctx;
  await findAutomation(db, workspaceId, automationId);
  const existing = await db
    .select()
    .from(alertDestinations)
    .where(and(eq(alertDestinations.workspaceId, workspaceId), eq(alertDestinations.automationId, automationId)));
  const prepared = await prepare(db, workspaceId, input, existing, ctx.actor.userId);
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(automations)
      .set({ ...prepared.fields, updatedAt: new Date() })
      .where(and(eq(automations.workspaceId, workspaceId), eq(automations.id, automationId)))
      .returning({ id: automations.id });
    if (!row) throw notFound();
    await writeDestinations(tx, workspaceId, automationId, existing, prepared.destinations);
    await audit(tx, ctx, "automation.updated", automationId, prepared.fields.name);
  });
  return { automation: await getAutomation(db, workspaceId, automationId), newSecrets: newSecretsOf(prepared.destinations) };
}

export async function deleteAutomation(db: Db, ctx: AutomationCtx, automationId: string): Promise<{ id: string }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .delete(automations)
      .where(and(eq(automations.workspaceId, ctx.workspaceId), eq(automations.id, automationId)))
      .returning({ id: automations.id, name: automations.name });
    if (!row) throw notFound();
    await audit(tx, ctx, "automation.deleted", row.id, row.name);
    return { id: row.id };
  });
}

export async function setAutomationEnabled(db: Db, ctx: AutomationCtx, automationId: string, enabled: boolean): Promise<AutomationView> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(automations)
      .set({ enabled, updatedAt: new Date() })
      .where(and(eq(automations.workspaceId, ctx.workspaceId), eq(automations.id, automationId)))
      .returning({ id: automations.id, name: automations.name });
    if (!row) throw notFound();
    await audit(tx, ctx, enabled ? "automation.enabled" : "automation.disabled", row.id, row.name);
  });
  return getAutomation(db, ctx.workspaceId, automationId);
}

/** After fixing the receiver: the notifier delivers to it again and the repeated-404 count starts over. */
export async function enableDestination(db: Db, ctx: AutomationCtx, destinationId: string): Promise<DestinationView> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(alertDestinations)
      .set({ disabledAt: null, disabledReason: null, consecutiveGone: 0 })
      .where(and(eq(alertDestinations.workspaceId, ctx.workspaceId), eq(alertDestinations.id, destinationId)))
      .returning();
    if (!row) throw destinationNotFound();
    await audit(tx, ctx, "automation.action_reenabled", row.automationId, row.target);
    return serializeDestination(row);
  });
}

/** A new signing secret for a webhook action, returned this once; the old one stops verifying at once. */
export async function rotateWebhookSecret(db: Db, ctx: AutomationCtx, destinationId: string): Promise<NewSecret> {
  const { workspaceId } = ctx;
  const destination = await findDestination(db, workspaceId, destinationId);
  if (destination.kind !== "webhook") throw new AppError("BAD_REQUEST", "Only webhook actions have a signing secret; Slack and email actions do not.");
  const { url } = readWebhookSecret(destination.secret);
  const secret = generateWebhookSecret();
  await db.transaction(async (tx) => {
    await tx
      .update(alertDestinations)
      .set({ secret: encryptSecret(JSON.stringify({ url, secret })) })
      .where(and(eq(alertDestinations.workspaceId, workspaceId), eq(alertDestinations.id, destinationId)));
    await audit(tx, ctx, "automation.secret_rotated", destination.automationId, destination.target);
  });
  return { destinationId, target: destination.target, secret };
}

/** Every change: into the audit log, and to the workspace's open pages (live), in the change's transaction. */
async function audit(tx: Queryable, ctx: AutomationCtx, action: string, automationId: string, label: string) {
  await recordAuditEvent(tx, ctx.workspaceId, ctx.actor, { action, targetType: "automation", targetId: automationId, targetLabel: label });
  await notifyLive(tx, ctx.workspaceId, "automation", [automationId]);
}

export async function findDestination(db: Queryable, workspaceId: string, destinationId: string): Promise<AlertDestination> {
  const [row] = await db.select().from(alertDestinations).where(and(eq(alertDestinations.workspaceId, workspaceId), eq(alertDestinations.id, destinationId)));
  if (!row) throw destinationNotFound();
  return row;
}

export async function findAutomation(db: Queryable, workspaceId: string, automationId: string): Promise<Automation> {
  const [row] = await db.select().from(automations).where(and(eq(automations.workspaceId, workspaceId), eq(automations.id, automationId)));
  if (!row) throw notFound();
  return row;
}

const notFound = () => new AppError("NOT_FOUND", "Automation not found. It may have been deleted; go back to Automations.");
const destinationNotFound = () => new AppError("NOT_FOUND", "Action not found. It may have been removed from its automation; reload the page.");

// ——— validation and preparation ———

type PreparedDestination = {
  /** Set for an existing action that is kept. */
  id?: string;
  kind: AlertDestination["kind"];
  recipients: EmailRecipients | null;
  secret: string | null;
  target: string;
  /** An acting action's settings. */
  config?: ActionConfig | null;
  /** The URL changed: the destination gets a fresh start (not disabled, no 404 count). */
  reset: boolean;
  /** For a new webhook action: the signing secret to show once. */
  newSecret?: { url: string; secret: string };
};

async function prepare(db: Db, workspaceId: string, input: AutomationInput, existing: AlertDestination[], requestedBy: string | null) {
  const errors: FieldErrors = validateAutomationShape(input);
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  if (input.triggerKind === "agent_offline" && input.flowIds.length + input.deploymentIds.length + input.tags.length > 0) {
    add("deploymentIds", "An “agent offline” automation watches every agent of the workspace: remove the flow, deployment and tag filters.");
  }

  const template = input.template?.trim() ? input.template : null;
  if (template) {
    const problem = validateMessageTemplate(template);
    if (problem) add("template", problem);
  }
  if (input.flowIds.length) {
    const found = await db.select({ id: flows.id }).from(flows).where(and(eq(flows.workspaceId, workspaceId), inArray(flows.id, input.flowIds)));
    if (found.length !== new Set(input.flowIds).size) add("flowIds", "A chosen flow does not exist in this workspace (it may have been deleted). Choose the flows again.");
  }
  if (input.deploymentIds.length) {
    const found = await db.select({ id: deployments.id }).from(deployments).where(and(eq(deployments.workspaceId, workspaceId), inArray(deployments.id, input.deploymentIds)));
    if (found.length !== new Set(input.deploymentIds).size) add("deploymentIds", "A chosen deployment does not exist in this workspace (it may have been deleted). Choose the deployments again.");
  }
  const memberIds = input.actions.flatMap((a) => (a.kind === "email" ? a.userIds : []));
  const members = memberIds.length
    ? new Set((await db.select({ id: memberships.userId }).from(memberships).where(and(eq(memberships.workspaceId, workspaceId), inArray(memberships.userId, memberIds)))).map((m) => m.id))
    : new Set<string>();

  const destinations: PreparedDestination[] = [];
  for (const [i, action] of input.actions.entries()) {
    const field = `actions.${i}`;
    if (errors[field]) continue;
    try {
      destinations.push(await prepareDestination(db, workspaceId, action, existing, members));
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== "BAD_REQUEST") throw err;
      add(field, err.message);
    }
  }

  if (Object.keys(errors).length) {
    const message = Object.values(errors).flat().join(" ");
    throw new AppError("BAD_REQUEST", message, { fieldErrors: errors });
  }
  await requestAddressConfirmations(db, workspaceId, requestedBy, [...new Set(destinations.flatMap((d) => d.recipients?.addresses ?? []))]);
  const fields = {
    name: input.name.trim(),
    enabled: input.enabled,
    triggerKind: input.triggerKind,
    triggerStates: input.triggerKind === "run_state" ? [...new Set(input.states)] : [],
    thresholdMinutes: input.triggerKind === "running_longer" ? input.minutes! : input.triggerKind === "no_success" ? input.hours! * 60 : null,
    flowIds: [...new Set(input.flowIds)],
    deploymentIds: [...new Set(input.deploymentIds)],
    tags: [...new Set(input.tags.map((t) => t.trim()).filter(Boolean))],
    template,
  };
  return { fields, destinations };
}

/** Throws AppError BAD_REQUEST with a sentence for the action's field. */
async function prepareDestination(db: Db, workspaceId: string, action: AutomationActionInput, existing: AlertDestination[], members: Set<string>): Promise<PreparedDestination> {
  const current = action.id ? existing.find((d) => d.id === action.id) : undefined;
  if (action.id && !current) throw new AppError("BAD_REQUEST", "This action no longer exists (someone else may have edited the automation). Reload the page.");
  if (current && current.kind !== action.kind) throw new AppError("BAD_REQUEST", "An action cannot change its kind; remove it and add a new one.");

  if (isActActionInput(action)) {
    const { config, target } = await prepareActActionConfig(db, workspaceId, action);
    return { id: current?.id, kind: action.kind, recipients: null, secret: null, target, config, reset: false };
  }

  if (action.kind === "email") {
    const missing = action.userIds.filter((u) => !members.has(u));
    if (missing.length) throw new AppError("BAD_REQUEST", "A chosen member is no longer in this workspace. Choose the members again.");
    const recipients = { userIds: [...new Set(action.userIds)], roles: [...new Set(action.roles)], addresses: normalizeAddresses(action.addresses) };
    return { id: current?.id, kind: "email", recipients, secret: null, target: describeRecipients(recipients), reset: false };
  }

  const keep = action.url.trim() === KEEP_SECRET && current;
  if (action.kind === "slack") {
    if (keep) return { id: current.id, kind: "slack", recipients: null, secret: current.secret, target: current.target, reset: false };
    // The shape first: a URL that is not Slack's needs no DNS lookup to be refused.
    if (!env().BATON_ALLOW_PRIVATE_WEBHOOKS && URL.canParse(action.url.trim()) && !looksLikeSlackWebhook(new URL(action.url.trim()))) {
      throw new AppError("BAD_REQUEST", "The Slack webhook URL should look like https://hooks.slack.com/services/T…/B…/…: in Slack, add the Incoming Webhooks app to a channel and copy its URL.");
    }
    const url = await checkOutboundUrl(action.url, "The Slack webhook URL");
    return { id: current?.id, kind: "slack", recipients: null, secret: encryptSecret(url.href), target: hint(url), reset: true };
  }

  if (keep) return { id: current.id, kind: "webhook", recipients: null, secret: current.secret, target: current.target, reset: false };
  const url = await checkOutboundUrl(action.url, "The webhook URL");
  // A new URL for an existing webhook keeps its signing secret, so the receiver's check still works.
  const signing = current ? readWebhookSecret(current.secret).secret : generateWebhookSecret();
  return {
    id: current?.id,
    kind: "webhook",
    recipients: null,
    secret: encryptSecret(JSON.stringify({ url: url.href, secret: signing })),
    target: hint(url),
    reset: true,
    newSecret: current ? undefined : { url: url.href, secret: signing },
  };
}

async function writeDestinations(tx: Queryable, workspaceId: string, automationId: string, existing: AlertDestination[], prepared: PreparedDestination[]) {
  const keptIds = new Set(prepared.flatMap((d) => (d.id ? [d.id] : [])));
  const removed = existing.filter((d) => !keptIds.has(d.id)).map((d) => d.id);
  if (removed.length) {
    await tx.delete(alertDestinations).where(and(eq(alertDestinations.workspaceId, workspaceId), eq(alertDestinations.automationId, automationId), inArray(alertDestinations.id, removed)));
  }
  for (const d of prepared) {
    const values = { recipients: d.recipients, secret: d.secret, target: d.target, config: d.config ?? null, ...(d.reset ? { disabledAt: null, disabledReason: null, consecutiveGone: 0 } : {}) };
    if (d.id) {
      await tx
        .update(alertDestinations)
        .set(values)
        .where(and(eq(alertDestinations.workspaceId, workspaceId), eq(alertDestinations.automationId, automationId), eq(alertDestinations.id, d.id)));
    } else {
      // clock_timestamp(), not the transaction's now(): actions list in the order they were added.
      const [row] = await tx
        .insert(alertDestinations)
        .values({ workspaceId, automationId, kind: d.kind, ...values, createdAt: sql`clock_timestamp()` })
        .returning({ id: alertDestinations.id });
      d.id = row.id;
    }
  }
}

function newSecretsOf(prepared: PreparedDestination[]): NewSecret[] {
  return prepared.flatMap((d) => (d.newSecret && d.id ? [{ destinationId: d.id, target: d.target, secret: d.newSecret.secret }] : []));
}

function readWebhookSecret(sealed: string | null): { url: string; secret: string } {
  if (!sealed) throw new AppError("BAD_REQUEST", "This webhook action has no stored URL; paste its URL again.");
  return JSON.parse(decryptSecret(sealed)) as { url: string; secret: string };
}

/** "hooks.slack.com/…/x7Qa": enough to tell two URLs apart, too little to use one. */
function hint(url: URL): string {
  const rest = `${url.pathname}${url.search}`.replace(/\/$/, "");
  return rest.length > 1 ? `${url.host}/…${rest.slice(-4)}` : url.host;
}

const ROLE_PLURALS: Record<string, string> = { owner: "owners", developer: "developers", runner: "runners", viewer: "viewers" };

/** "2 members, all developers, ops@example.com +1 more" */
function describeRecipients(r: EmailRecipients): string {
  const parts: string[] = [];
  if (r.userIds.length) parts.push(r.userIds.length === 1 ? "1 member" : `${r.userIds.length} members`);
  if (r.roles.length) parts.push(`all ${r.roles.map((x) => ROLE_PLURALS[x] ?? x).join(" and ")}`);
  if (r.addresses.length) parts.push(r.addresses.length > 2 ? `${r.addresses.slice(0, 2).join(", ")} +${r.addresses.length - 2} more` : r.addresses.join(", "));
  return parts.join(", ");
}
