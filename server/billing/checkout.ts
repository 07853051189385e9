import type { Db } from "../db/client";
import { publicUrl } from "../env";
import { AppError } from "../errors";
import { billingEnabled, priceIdFor } from "./plans";
import { stripeClient } from "./stripe-client";

type Workspace = { id: string; slug: string; name: string };

function requireBilling() {
  if (!billingEnabled()) throw new AppError("NOT_FOUND", "Billing is not enabled on this server.");
}

const billingUrl = (ws: Workspace) => `${publicUrl()}/w/${ws.slug}/settings/billing`;

/**
 * The workspace's Stripe customer, created at its first checkout. The idempotency key makes a
 * double click (or two owners at once) create one customer, and the row keeps the first id.
 */
async function ensureCustomer(db: Db, ws: Workspace, email: string): Promise<string> {
  const { rows } = await db.$client.query<{ stripe_customer_id: string | null }>("select stripe_customer_id from workspace_billing where workspace_id = $1", [ws.id]);
  if (rows[0]?.stripe_customer_id) return rows[0].stripe_customer_id;
  const customer = await stripeClient().customers.create(
    { name: ws.name, email, metadata: { workspace_id: ws.id, workspace_slug: ws.slug } },
    { idempotencyKey: `baton-customer-${ws.id}` },
  );
  const saved = await db.$client.query<{ stripe_customer_id: string }>(
    `insert into workspace_billing (workspace_id, stripe_customer_id) values ($1, $2)
     on conflict (workspace_id) do update set stripe_customer_id = coalesce(workspace_billing.stripe_customer_id, excluded.stripe_customer_id)
     returning stripe_customer_id`,
    [ws.id, customer.id],
  );
  return saved.rows[0].stripe_customer_id;
}

/** A Checkout Session for an upgrade; success and cancel return to Settings → Billing. */
export async function createCheckoutSession(db: Db, ws: Workspace, owner: { email: string }, plan: "pro" | "team") {
  requireBilling();
  const price = priceIdFor(plan);
  if (!price) throw new AppError("BAD_REQUEST", `The ${plan} plan is not for sale on this server (STRIPE_PRICE_${plan.toUpperCase()} is not set).`);
  const { rows } = await db.$client.query<{ plan: string; subscription_status: string | null }>(
    "select plan, subscription_status from workspace_billing where workspace_id = $1",
    [ws.id],
  );
  if (rows[0] && rows[0].plan !== "hobby" && rows[0].subscription_status && rows[0].subscription_status !== "canceled") {
    throw new AppError("CONFLICT", "This workspace already has a subscription. Change or cancel it with “Manage billing”.");
  }
  const customer = await ensureCustomer(db, ws, owner.email);
  const session = await stripeClient().checkout.sessions.create({
    mode: "subscription",
    customer,
    client_reference_id: ws.id,
    line_items: [{ price, quantity: 1 }],
    subscription_data: { metadata: { workspace_id: ws.id } },
    allow_promotion_codes: true,
    success_url: `${billingUrl(ws)}?checkout=success`,
    cancel_url: `${billingUrl(ws)}?checkout=cancelled`,
  });
  if (!session.url) throw new AppError("UNAVAILABLE", "Stripe did not return a checkout page. Try again in a minute.");
  return { url: session.url };
}

/** The Customer Portal, where owners change plan, card or cancel, and see invoices. */
export async function createPortalSession(db: Db, ws: Workspace) {
  requireBilling();
  const { rows } = await db.$client.query<{ stripe_customer_id: string | null }>("select stripe_customer_id from workspace_billing where workspace_id = $1", [ws.id]);
  const customer = rows[0]?.stripe_customer_id;
  if (!customer) throw new AppError("BAD_REQUEST", "This workspace has no billing account yet. Upgrade first.");
  const session = await stripeClient().billingPortal.sessions.create({ customer, return_url: billingUrl(ws) });
  return { url: session.url };
}
