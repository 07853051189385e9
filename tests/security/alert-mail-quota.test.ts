import { describe, expect, it } from "vitest";
import { PLANS } from "../../server/billing/plans";
import { usageMonth } from "../../server/billing/run-quota";
import { reloadEnv } from "../../server/env";
import { startApiServer } from "../helpers/api-server";
import { createTestDatabase } from "../helpers/db";
import { workspaceAlerting } from "../helpers/alerting";
import { startStripeStandIn, STRIPE_TEST_ENV } from "../helpers/stripe-stand-in";

// Billing on (hosted): alert mail is metered per plan. No RESEND_API_KEY: mail lands in the outbox.
const stripe = await startStripeStandIn();
Object.assign(process.env, STRIPE_TEST_ENV, { STRIPE_API_URL: stripe.url });
reloadEnv();
const { db } = await createTestDatabase();
const api = await startApiServer(db);

describe("alert mail is metered per plan", () => {
  it("past the monthly allowance an alert email is skipped, with the reason in the deliveries list and in Settings → Billing", async () => {
    const { alert, automation, ...w } = await workspaceAlerting(db, api, { roles: ["owner", "developer"] }, ["developer"]);
    const limit = PLANS.hobby.limits.alertEmailsPerMonth;
    // Two recipients per alert; the month so far used all but three of Hobby's allowance.
    await db.$client.query(`insert into workspace_usage (workspace_id, month, alert_emails) values ($1, $2, $3)`, [w.ws.id, usageMonth(new Date()), limit - 3]);

    await alert();
    await alert();
    const page = await w.owner.caller.automations.deliveries({ workspace: w.ws.slug, automationId: automation.id });
    const [newest, first] = page.items;
    expect(first.status).toBe("sent");
    expect(newest.status).toBe("skipped");
    expect(newest.lastError).toMatch(/used its 1,000 alert emails this month on Hobby\. Upgrade in Settings → Billing/);
    const { rows } = await db.$client.query<{ n: number }>(`select count(*)::int as n from email_messages where workspace_id = $1 and template like 'alert-%'`, [w.ws.id]);
    expect(rows[0].n).toBe(2);

    const overview = await w.owner.caller.billing.overview({ workspace: w.ws.slug });
    expect(overview.usage.find((u) => u.key === "alertEmails")).toEqual({ key: "alertEmails", label: "Alert emails this month", used: limit - 1, limit });
  });
});
