import Stripe from "stripe";
import { start, type RecordedRequest } from "./recording-server";

export const STRIPE_TEST_ENV = {
  STRIPE_SECRET_KEY: "sk_test_baton",
  STRIPE_WEBHOOK_SECRET: "whsec_test_baton",
  STRIPE_PRICE_PRO: "price_pro",
  STRIPE_PRICE_TEAM: "price_team",
};

type Sub = { id: string; status: string; price: string; created: number; cancelAtPeriodEnd?: boolean };

/**
 * A local stand-in for Stripe's API: the real SDK (pointed here by STRIPE_API_URL) creates
 * customers, checkout and portal sessions, and lists a customer's subscriptions as the test set
 * them. Every request is recorded.
 */
export async function startStripeStandIn() {
  const subscriptions = new Map<string, Sub[]>();
  let customers = 0;
  const server = await start((req: RecordedRequest) => {
    const body = (req.body ?? {}) as Record<string, string>;
    if (req.method === "POST" && req.path === "/v1/customers") return { body: { id: `cus_${++customers}_${Date.now()}`, object: "customer", email: body.email } };
    if (req.method === "POST" && req.path === "/v1/checkout/sessions") {
      return { body: { id: "cs_test_1", object: "checkout.session", url: "https://checkout.stripe.test/c/cs_test_1", customer: body.customer, mode: "subscription" } };
    }
    if (req.method === "POST" && req.path === "/v1/billing_portal/sessions") {
      return { body: { id: "bps_test_1", object: "billing_portal.session", url: "https://billing.stripe.test/p/session_1", customer: body.customer } };
    }
    if (req.method === "GET" && req.path === "/v1/subscriptions") {
      const customer = req.query.get("customer") ?? "";
      const data = (subscriptions.get(customer) ?? []).map((s) => subscriptionObject(customer, s));
      return { body: { object: "list", data, has_more: false, url: "/v1/subscriptions" } };
    }
    return { status: 404, body: { error: { type: "invalid_request_error", message: `stand-in has no ${req.method} ${req.path}` } } };
  });
  return {
    ...server,
    /** What Stripe reports for this customer from now on. */
    setSubscriptions(customer: string, subs: Sub[]) {
      subscriptions.set(customer, subs);
    },
    listCalls(customer: string) {
      return server.requests.filter((r) => r.method === "GET" && r.path === "/v1/subscriptions" && r.query.get("customer") === customer).length;
    },
  };
}

function subscriptionObject(customer: string, s: Sub) {
  const periodEnd = s.created + 30 * 86_400;
  return {
    id: s.id,
    object: "subscription",
    customer,
    status: s.status,
    created: s.created,
    cancel_at_period_end: Boolean(s.cancelAtPeriodEnd),
    items: { object: "list", data: [{ id: `si_${s.id}`, object: "subscription_item", price: { id: s.price, object: "price" }, current_period_end: periodEnd }] },
  };
}

let eventSeq = 0;

/** A Stripe event body and its signature header, signed the way Stripe does (generateTestHeaderString). */
export function signedEvent(type: string, object: Record<string, unknown>, opts: { id?: string; secret?: string; timestamp?: number } = {}) {
  const payload = JSON.stringify({
    id: opts.id ?? `evt_test_${Date.now()}_${++eventSeq}`,
    object: "event",
    type,
    api_version: "2026-10-28.endive",
    created: Math.floor(Date.now() / 1000),
    data: { object },
  });
  const stripe = new Stripe("sk_test_unused");
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET, timestamp: opts.timestamp });
  return { payload, header };
}
