import { ALERT_RUN_EVENTS, KEEP_SECRET, templateRoots, type AutomationInput } from "../../agent/protocol/automations";
import { checkParameterTemplate, ParameterTemplateError } from "../runs/parameter-template";
import { ROLES } from "../db/schema/workspaces";

/**
 * The rules of an automation that need no database (the shapes are in agent/protocol/automations.ts):
 * every problem comes back at once, keyed by field, with a sentence.
 */

export const MAX_ACTIONS = 10;
export const MAX_EMAIL_ADDRESSES = 50;
export const RUNNING_LONGER_MAX_MINUTES = 10_080;
export const NO_SUCCESS_MAX_HOURS = 720;

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

  if (input.actions.length === 0) add("actions", "Add at least one action: an email, a Slack webhook, a webhook, or one that acts (run a deployment, pause, cancel).");
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
    } else if (action.kind === "run_deployment") {
      try {
        checkParameterTemplate(action.parameters, templateRoots(input.triggerKind));
      } catch (err) {
        if (!(err instanceof ParameterTemplateError)) throw err;
        add(field, err.message);
      }
    } else if (action.kind === "cancel_runs") {
      if (input.triggerKind !== "run_state" && input.triggerKind !== "running_longer") {
        add(field, "Cancelling runs needs a trigger that names a run: a run state (Late) or “running longer than”.");
      } else if (action.which === "triggering" && input.triggerKind === "run_state" && !input.states.some((s) => !FINAL_EVENTS.includes(s))) {
        add(field, "A Completed, Failed, Crashed or Cancelled run has already ended, so there is nothing to cancel: trigger on Late or Paused (or use “the deployment's other active runs”).");
      }
    } else if (action.kind === "pause_deployment" || action.kind === "resume_deployment") {
      if (action.deploymentId === null && input.triggerKind === "agent_offline") add(field, "An agent going offline names no deployment: choose the deployment to pause or resume.");
    } else if (action.kind === "pause_work_pool" || action.kind === "resume_work_pool") {
      // Every trigger names a pool: the run's, the deployment's or the agent's.
    } else if (action.url.trim() === KEEP_SECRET && !action.id) {
      add(field, `Paste the ${action.kind === "slack" ? "Slack webhook" : "webhook"} URL.`);
    } else if (!action.url.trim()) {
      add(field, `Paste the ${action.kind === "slack" ? "Slack webhook" : "webhook"} URL.`);
    }
  });
  return errors;
}

/** Run events after which the run has ended. */
const FINAL_EVENTS: readonly string[] = ["Completed", "Failed", "Crashed", "Cancelled"];

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
