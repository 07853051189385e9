import type Stripe from "stripe";
import type { Db } from "../db/client";
import type { PlanId } from "../db/schema";
import { withPgTransaction } from "../db/pg-transaction";
import { env, publicUrl } from "../env";
import { AppError } from "../errors";
import { sendEmail } from "../email/send-email";
import { billingEnabled, PLANS } from "./plans";
import { convergeWorkspaceBilling, readCurrentSubscription } from "./converge-subscription";
import { stripeClient } from "./stripe-client";
import { workspaceOwners } from "./usage-emails";
import { GRACE_DAYS } from "./workspace-plan";

/** Events that can change a workspace's plan; all are handled the same way: re-read and converge. */
const HANDLED = new Set([
  "checkout.session.completed",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "invoice.payment_failed",
  "invoice.paid",
]);

export type WebhookOutcome = { received: true; outcome: "processed" | "duplicate" | "ignored"; workspaceId?: string; plan?: PlanId };

function customerOf(event: Stripe.Event): string | null {
  const obj = event.data.object as { customer?: string | { id: string } | null };
  if (!obj.customer) return null;
  return typeof obj.customer === "string" ? obj.customer : obj.customer.id;
}

/**
 * `POST /api/stripe/webhook`. The raw body is verified against the signing secret (a bad
 * signature or a timestamp older than 5 minutes is a 400 and changes nothing). The event id is
 * recorded in the same transaction as its effect, so a redelivery, even a concurrent one, finds
 * it and does nothing. The event's own payload is not trusted for state: only its customer id is
 * used, and the subscription is re-read from Stripe under the workspace's row lock, so events
 * that arrive out of order still end in the state Stripe reports.
 */
export async function handleStripeWebhook(db: Db, rawBody: string, signature: string | null, now = new Date()): Promise<WebhookOutcome> {
  if (!billingEnabled()) throw new AppError("NOT_FOUND", "Billing is not enabled on this server.");
  const secret = env().STRIPE_WEBHOOK_SECRET;
  if (!secret) throw new AppError("UNAVAILABLE", "STRIPE_WEBHOOK_SECRET is not set on this server.");
  let event: Stripe.Event;
  try {
    event = await stripeClient().webhooks.constructEventAsync(rawBody, signature ?? "", secret);
  } catch {
    throw new AppError("BAD_REQUEST", "The Stripe signature is missing, wrong or too old.");
  }
  const customerId = customerOf(event);
  if (!HANDLED.has(event.type) || !customerId) return { received: true, outcome: "ignored" };

  const result = await withPgTransaction(db.$client, async (client) => {
    const fresh = await client.query("insert into stripe_events (id, type) values ($1, $2) on conflict (id) do nothing", [event.id, event.type]);
    if (!fresh.rowCount) return { outcome: "duplicate" as const };
    const { rows } = await client.query<{ workspace_id: string; plan: PlanId; past_due_since: Date | null }>(
      "select workspace_id, plan, past_due_since from workspace_billing where stripe_customer_id = $1 for update",
      [customerId],
    );
    const row = rows[0];
    if (!row) return { outcome: "ignored" as const };
    await client.query("update stripe_events set workspace_id = $2 where id = $1", [event.id, row.workspace_id]);
    const converged = await convergeWorkspaceBilling(client, row, await readCurrentSubscription(customerId), now);
    if (converged.plan !== converged.previousPlan) {
      await client.query(
        `insert into audit_events (workspace_id, actor_id, actor_label, action, target_type, target_id, target_label, details)
         values ($1::uuid, null, 'Stripe', 'billing.plan_changed', 'workspace', $1::text, null, $2)`,
        [row.workspace_id, JSON.stringify({ from: converged.previousPlan, to: converged.plan, event: event.id })],
      );
    }
    return { outcome: "processed" as const, workspaceId: row.workspace_id, ...converged };
  });
  if (result.outcome !== "processed") return { received: true, outcome: result.outcome };
  if (result.paymentFailureStarted && result.pastDueSince) {
    await emailPaymentFailed(db, result.workspaceId, result.plan, new Date(result.pastDueSince.getTime() + GRACE_DAYS * 86_400_000)).catch((err: unknown) =>
      console.error("[billing] payment-failed email:", err),
    );
  }
  return { received: true, outcome: "processed", workspaceId: result.workspaceId, plan: result.plan };
}

async function emailPaymentFailed(db: Db, workspaceId: string, plan: PlanId, graceEndsAt: Date) {
  const graceEndsOn = graceEndsAt.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  for (const o of await workspaceOwners(db, workspaceId)) {
    await sendEmail(db, {
      to: o.email,
      template: "payment-failed",
      props: { workspaceName: o.name, planName: PLANS[plan].name, graceEndsOn, url: `${publicUrl()}/w/${o.slug}/settings/billing` },
      workspaceId,
    });
  }
}
