import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { signedEvent, startStripeStandIn, STRIPE_TEST_ENV } from "../tests/helpers/stripe-stand-in";
import { createWorkspace, signUp, uniqueEmail } from "./helpers";

/**
 * Billing needs hosted mode, so this spec starts its own production server with STRIPE_* set and
 * the Stripe SDK pointed at a local stand-in; the shared e2e server stays self-hosted.
 */
const PORT = 3233;
const BASE = `http://localhost:${PORT}`;
// Inside the shared e2e data dir (ignored by git, wiped when the e2e server starts).
const DATA_DIR = ".baton-e2e/billing";
let stripe: Awaited<ReturnType<typeof startStripeStandIn>>;
let server: ChildProcess;

test.use({ baseURL: BASE });

test.beforeAll(async () => {
  test.setTimeout(150_000);
  stripe = await startStripeStandIn();
  fs.rmSync(DATA_DIR, { recursive: true, force: true });
  server = spawn(process.execPath, ["dist/main.js"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(PORT),
      BATON_DATA_DIR: DATA_DIR,
      BATON_PG_PORT: "54393",
      BATON_DEV_MAILBOX: "1",
      BATON_PUBLIC_URL: BASE,
      BATON_SIGNUPS_PER_IP_PER_HOUR: "100",
      ...STRIPE_TEST_ENV,
      STRIPE_API_URL: stripe.url,
    },
    stdio: "ignore",
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ok = await fetch(`${BASE}/api/health`).then((r) => r.ok).catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error("billing e2e server did not become healthy");
    await new Promise((r) => setTimeout(r, 250));
  }
});

test.afterAll(async () => {
  server?.kill("SIGTERM");
  await new Promise((r) => server?.once("exit", r));
  await stripe?.close();
});

async function deliver(type: string, object: Record<string, unknown>) {
  const e = signedEvent(type, object);
  const res = await fetch(`${BASE}/api/stripe/webhook`, { method: "POST", headers: { "content-type": "application/json", "stripe-signature": e.header }, body: e.payload });
  expect(res.status).toBe(200);
}

test("an owner upgrades to Pro through Checkout, sees the plan and usage, opens the portal; a failed payment shows a banner", async ({ page }) => {
  await signUp(page, uniqueEmail("billing-owner"), "Bea Billing");
  const slug = await createWorkspace(page, `Billing ${Date.now().toString(36)}`);
  await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Billing" }).click();
  await expect(page.getByRole("heading", { name: "Billing" })).toBeVisible();
  await expect(page.getByText("Hobby", { exact: true })).toBeVisible();
  await expect(page.getByRole("progressbar", { name: "Runs this month" })).toHaveAttribute("aria-valuemax", "2000");

  await page.route("https://checkout.stripe.test/**", (route) => route.fulfill({ contentType: "text/html", body: "<h1>Stripe Checkout (stand-in)</h1>" }));
  await page.getByRole("button", { name: "Upgrade to Pro" }).click();
  await expect(page.getByRole("heading", { name: "Stripe Checkout (stand-in)" })).toBeVisible();
  const checkout = stripe.requests.findLast((r) => r.path === "/v1/checkout/sessions")!;
  const body = checkout.body as Record<string, string>;
  expect(body["line_items[0][price]"]).toBe("price_pro");
  expect(body.success_url).toBe(`${BASE}/w/${slug}/settings/billing?checkout=success`);

  // Stripe completes the checkout and tells Baton.
  stripe.setSubscriptions(body.customer, [{ id: "sub_e2e", status: "active", price: "price_pro", created: Math.floor(Date.now() / 1000) }]);
  await deliver("checkout.session.completed", { id: "cs_test_1", object: "checkout.session", customer: body.customer });
  await page.goto(body.success_url);
  await expect(page.getByText(/Thanks! The upgrade shows here/)).toBeVisible();
  await expect(page.getByText("Pro", { exact: true })).toBeVisible();
  await expect(page.getByText(/Renews on/)).toBeVisible();
  await expect(page.getByRole("progressbar", { name: "Runs this month" })).toHaveAttribute("aria-valuemax", "50000");
  // Subscribed: plan changes go through the portal, not a second checkout.
  await expect(page.getByRole("button", { name: "Upgrade to Team" })).toHaveCount(0);
  await page.screenshot({ path: path.resolve("docs/screenshots/billing.png"), fullPage: true });

  await page.route("https://billing.stripe.test/**", (route) => route.fulfill({ contentType: "text/html", body: "<h1>Stripe Customer Portal (stand-in)</h1>" }));
  await page.getByRole("button", { name: "Manage billing and invoices" }).click();
  await expect(page.getByRole("heading", { name: "Stripe Customer Portal (stand-in)" })).toBeVisible();
  expect((stripe.requests.findLast((r) => r.path === "/v1/billing_portal/sessions")!.body as Record<string, string>).customer).toBe(body.customer);

  stripe.setSubscriptions(body.customer, [{ id: "sub_e2e", status: "past_due", price: "price_pro", created: Math.floor(Date.now() / 1000) }]);
  await deliver("invoice.payment_failed", { id: "in_e2e", object: "invoice", customer: body.customer });
  await page.goto(`/w/${slug}`);
  await expect(page.getByRole("alert").filter({ hasText: "Payment failed. Pro stays active until" })).toBeVisible();
  await page.getByRole("link", { name: "Open billing" }).click();
  await expect(page.getByText(/The last payment failed/)).toBeVisible();
});
