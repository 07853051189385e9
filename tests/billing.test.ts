import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createRunSchema } from "../agent/protocol/runs";
import { billingBanner } from "../server/billing/billing-overview";
import { handleStripeWebhook } from "../server/billing/stripe-webhook";
import { usageMonth } from "../server/billing/run-quota";
import { workspacePlan } from "../server/billing/workspace-plan";
import { deployments, flows, schedules, workPools, workspaceBilling } from "../server/db/schema";
import { reloadEnv } from "../server/env";
import { AppError } from "../server/errors";
import { createDeploymentRun } from "../server/runs/create-run";
import { fillSchedules } from "../server/scheduling/fill-schedules";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers, TEST_ACTOR } from "./helpers/fixtures";
import { registerAgent } from "../server/agents/agents";
import { upsertDeployment } from "../server/deployments/upsert-deployment";
import { deleteExpiredDataByPlan } from "../server/billing/plan-retention";
import { uuidv7 } from "../server/db/uuidv7";
import { signedEvent, startStripeStandIn, STRIPE_TEST_ENV } from "./helpers/stripe-stand-in";

const stripe = await startStripeStandIn();
Object.assign(process.env, STRIPE_TEST_ENV, { STRIPE_API_URL: stripe.url });
reloadEnv();
afterAll(() => stripe.close());

const { db } = await createTestDatabase();

async function upgradedWorkspace(plan: "pro" | "team" = "pro") {
  const w = await createWorkspaceWithMembers(db);
  await w.owner.caller.billing.checkout({ workspace: w.ws.slug, plan });
  const [row] = await db.select().from(workspaceBilling).where(eq(workspaceBilling.workspaceId, w.ws.id));
  return { ...w, customer: row.stripeCustomerId! };
}

const deliver = (e: { payload: string; header: string }) => handleStripeWebhook(db, e.payload, e.header);
const count = async (sql: string, params: unknown[]) => (await db.$client.query<{ n: number }>(sql, params)).rows[0].n;
const planChanges = (workspaceId: string) =>
  count("select count(*)::int as n from audit_events where workspace_id = $1 and action = 'billing.plan_changed'", [workspaceId]);

describe("checkout, webhook and portal", () => {
  it("upgrade: checkout with the Pro price and the workspace's customer; the signed checkout.session.completed moves it to Pro; the portal opens for that customer", async () => {
    const w = await createWorkspaceWithMembers(db);
    const { url } = await w.owner.caller.billing.checkout({ workspace: w.ws.slug, plan: "pro" });
    expect(url).toBe("https://checkout.stripe.test/c/cs_test_1");
    const customerReq = stripe.requests.findLast((r) => r.path === "/v1/customers")!;
    expect(customerReq.body).toMatchObject({ email: w.owner.user.email, "metadata[workspace_id]": w.ws.id });
    const [row] = await db.select().from(workspaceBilling).where(eq(workspaceBilling.workspaceId, w.ws.id));
    const checkout = stripe.requests.findLast((r) => r.path === "/v1/checkout/sessions")!;
    expect(checkout.body).toMatchObject({
      mode: "subscription",
      customer: row.stripeCustomerId,
      "line_items[0][price]": "price_pro",
      "line_items[0][quantity]": "1",
      client_reference_id: w.ws.id,
    });
    expect((checkout.body as Record<string, string>).success_url).toMatch(new RegExp(`/w/${w.ws.slug}/settings/billing\\?checkout=success$`));
    expect((checkout.body as Record<string, string>).cancel_url).toMatch(new RegExp(`/w/${w.ws.slug}/settings/billing\\?checkout=cancelled$`));
    expect((await workspacePlan(db, w.ws.id)).id).toBe("hobby");

    stripe.setSubscriptions(row.stripeCustomerId!, [{ id: "sub_up", status: "active", price: "price_pro", created: 1_790_000_000 }]);
    const outcome = await deliver(signedEvent("checkout.session.completed", { id: "cs_test_1", object: "checkout.session", customer: row.stripeCustomerId, subscription: "sub_up" }));
    expect(outcome).toMatchObject({ outcome: "processed", plan: "pro" });
    expect((await workspacePlan(db, w.ws.id)).id).toBe("pro");
    const overview = await w.owner.caller.billing.overview({ workspace: w.ws.slug });
    expect(overview.plan.id).toBe("pro");
    expect(overview.renewsAt).toBe(new Date((1_790_000_000 + 30 * 86_400) * 1000).toISOString());
    expect(overview.usage.find((u) => u.key === "runs")).toMatchObject({ used: 0, limit: 50_000 });

    const portal = await w.owner.caller.billing.portal({ workspace: w.ws.slug });
    expect(portal.url).toBe("https://billing.stripe.test/p/session_1");
    const portalReq = stripe.requests.findLast((r) => r.path === "/v1/billing_portal/sessions")!;
    expect(portalReq.body).toMatchObject({ customer: row.stripeCustomerId });
    expect((portalReq.body as Record<string, string>).return_url).toMatch(new RegExp(`/w/${w.ws.slug}/settings/billing$`));
  });

  it("the same event delivered twice, then five times concurrently, has one effect", async () => {
    const w = await upgradedWorkspace();
    stripe.setSubscriptions(w.customer, [{ id: "sub_dup", status: "active", price: "price_team", created: 1_790_000_000 }]);
    const event = signedEvent("customer.subscription.updated", { id: "sub_dup", object: "subscription", customer: w.customer, status: "active" });
    expect((await deliver(event)).outcome).toBe("processed");
    expect((await deliver(event)).outcome).toBe("duplicate");
    expect(stripe.listCalls(w.customer)).toBe(1);
    expect(await planChanges(w.ws.id)).toBe(1);

    const again = signedEvent("customer.subscription.created", { id: "sub_dup", object: "subscription", customer: w.customer });
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => deliver(again)));
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(["duplicate", "duplicate", "duplicate", "duplicate", "processed"]);
    expect(stripe.listCalls(w.customer)).toBe(2);
    expect(await count("select count(*)::int as n from stripe_events where workspace_id = $1", [w.ws.id])).toBe(2);
    expect(await planChanges(w.ws.id)).toBe(1);
    expect((await workspacePlan(db, w.ws.id)).id).toBe("team");
  });

  it("subscription.deleted arriving before an older subscription.updated: what Stripe reports wins", async () => {
    // Stripe says: cancelled. The stale "updated" (payload still active, Team) comes last.
    const w = await upgradedWorkspace();
    stripe.setSubscriptions(w.customer, [{ id: "sub_x", status: "canceled", price: "price_team", created: 1_790_000_000 }]);
    await deliver(signedEvent("customer.subscription.deleted", { id: "sub_x", object: "subscription", customer: w.customer, status: "canceled" }));
    await deliver(signedEvent("customer.subscription.updated", { id: "sub_x", object: "subscription", customer: w.customer, status: "active", items: { data: [{ price: { id: "price_team" } }] } }));
    expect((await workspacePlan(db, w.ws.id)).id).toBe("hobby");

    // And the other way round: a new subscription is live, a late "deleted" of the old one arrives last.
    const v = await upgradedWorkspace();
    stripe.setSubscriptions(v.customer, [
      { id: "sub_old", status: "canceled", price: "price_pro", created: 1_780_000_000 },
      { id: "sub_new", status: "active", price: "price_team", created: 1_790_000_000 },
    ]);
    await deliver(signedEvent("customer.subscription.updated", { id: "sub_new", object: "subscription", customer: v.customer }));
    await deliver(signedEvent("customer.subscription.deleted", { id: "sub_old", object: "subscription", customer: v.customer, status: "canceled" }));
    expect((await workspacePlan(db, v.ws.id)).id).toBe("team");
  });

  it("a bad signature or a stale timestamp is refused (400) and changes nothing", async () => {
    const w = await upgradedWorkspace();
    stripe.setSubscriptions(w.customer, [{ id: "sub_bad", status: "active", price: "price_team", created: 1_790_000_000 }]);
    const events = await count("select count(*)::int as n from stripe_events", []);
    const object = { id: "sub_bad", object: "subscription", customer: w.customer };
    const forged = signedEvent("customer.subscription.updated", object, { secret: "whsec_wrong" });
    const stale = signedEvent("customer.subscription.updated", object, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    const tampered = signedEvent("customer.subscription.updated", object);
    for (const [payload, header] of [
      [forged.payload, forged.header],
      [stale.payload, stale.header],
      [tampered.payload.replace("sub_bad", "sub_bae"), tampered.header],
      [tampered.payload, null],
    ] as const) {
      const err = await handleStripeWebhook(db, payload, header).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("BAD_REQUEST");
    }
    expect(await count("select count(*)::int as n from stripe_events", [])).toBe(events);
    expect(stripe.listCalls(w.customer)).toBe(0);
    expect((await workspacePlan(db, w.ws.id)).id).toBe("hobby");
  });

  it("a failed payment: banner and one email to owners; the plan holds for the grace period, then Hobby applies", async () => {
    const w = await upgradedWorkspace();
    stripe.setSubscriptions(w.customer, [{ id: "sub_pd", status: "active", price: "price_pro", created: 1_790_000_000 }]);
    await deliver(signedEvent("customer.subscription.created", { id: "sub_pd", object: "subscription", customer: w.customer }));
    stripe.setSubscriptions(w.customer, [{ id: "sub_pd", status: "past_due", price: "price_pro", created: 1_790_000_000 }]);
    await deliver(signedEvent("invoice.payment_failed", { id: "in_1", object: "invoice", customer: w.customer }));
    await deliver(signedEvent("customer.subscription.updated", { id: "sub_pd", object: "subscription", customer: w.customer }));
    expect((await workspacePlan(db, w.ws.id)).id).toBe("pro");
    const mails = await db.$client.query("select subject from email_messages where workspace_id = $1 and template = 'payment-failed'", [w.ws.id]);
    expect(mails.rows).toHaveLength(1);
    expect(mails.rows[0].subject).toContain("Payment failed");
    expect((await billingBanner(db, w.ws.id))?.kind).toBe("payment");
    const later = new Date(Date.now() + 8 * 86_400_000);
    expect((await workspacePlan(db, w.ws.id, later)).id).toBe("hobby");
    // Paid after all: Stripe reports active again and the banner goes.
    stripe.setSubscriptions(w.customer, [{ id: "sub_pd", status: "active", price: "price_pro", created: 1_790_000_000 }]);
    await deliver(signedEvent("invoice.paid", { id: "in_1", object: "invoice", customer: w.customer }));
    expect(await billingBanner(db, w.ws.id)).toBeNull();
    expect((await workspacePlan(db, w.ws.id, later)).id).toBe("pro");
  });
});

async function deploymentOf(workspaceId: string) {
  const [pool] = await db.select().from(workPools).where(and(eq(workPools.workspaceId, workspaceId), eq(workPools.name, "default")));
  const [flow] = await db.insert(flows).values({ workspaceId, name: `flow-${randomBytes(4).toString("hex")}` }).returning();
  const [d] = await db.insert(deployments).values({ workspaceId, flowId: flow.id, name: "d", kind: "command", command: "true", workPoolId: pool.id }).returning();
  return d;
}

const setRuns = (workspaceId: string, runs: number, month = usageMonth(new Date())) =>
  db.$client.query("insert into workspace_usage (workspace_id, month, runs) values ($1, $2, $3) on conflict (workspace_id, month) do update set runs = $3", [workspaceId, month, runs]);
const usedRuns = async (workspaceId: string, month = usageMonth(new Date())) =>
  count("select coalesce(sum(runs), 0)::int as n from workspace_usage where workspace_id = $1 and month = $2", [workspaceId, month]);
const MESSAGE = "Plan limit reached: 2,000 runs this month on Hobby. Upgrade in Settings → Billing.";

describe("run quota", () => {
  it("the 2,001st run of a Hobby month is refused with plan_limit and the message; owners get the 80% and 100% emails once", async () => {
    const w = await createWorkspaceWithMembers(db);
    const d = await deploymentOf(w.ws.id);
    const create = (input: object = {}) => createDeploymentRun(db, w.ws.id, TEST_ACTOR, d.id, createRunSchema.parse(input));
    await setRuns(w.ws.id, 1_599);
    await create(); // the 1,600th: 80%
    await create();
    await setRuns(w.ws.id, 1_999);
    const last = await create({ idempotencyKey: "the-2000th" });
    expect(last.created).toBe(true);
    const err = await create().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("PLAN_LIMIT");
    expect((err as AppError).message).toBe(MESSAGE);
    // A retry of an earlier creation still gets its run, as without a quota.
    expect(await create({ idempotencyKey: "the-2000th" })).toMatchObject({ created: false, run: { id: last.run.id } });
    expect(await usedRuns(w.ws.id)).toBe(2_000);
    // Through tRPC (the UI) the same message.
    await expect(w.owner.caller.runs.create({ workspace: w.ws.slug, deploymentId: d.id, parameters: {} } as never)).rejects.toThrow(MESSAGE);
    await new Promise((r) => setTimeout(r, 500));
    const mails = await db.$client.query<{ subject: string }>("select subject from email_messages where workspace_id = $1 and template = 'usage-limit' order by created_at", [w.ws.id]);
    expect(mails.rows.map((m) => m.subject)).toEqual([`${w.ws.name} used 80% of this month's runs on Baton`, `${w.ws.name} reached this month's run limit on Baton`]);
    expect((await billingBanner(db, w.ws.id))?.message).toContain("Plan limit reached: 2,000 runs this month on Hobby");
  });

  it("20 concurrent creations at the edge of the quota never exceed it", async () => {
    const w = await createWorkspaceWithMembers(db);
    const d = await deploymentOf(w.ws.id);
    await setRuns(w.ws.id, 1_990);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => createDeploymentRun(db, w.ws.id, TEST_ACTOR, d.id, createRunSchema.parse({}))));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(10);
    const refused = results.filter((r) => r.status === "rejected");
    expect(refused).toHaveLength(10);
    for (const r of refused) expect((r.reason as AppError).code).toBe("PLAN_LIMIT");
    expect(await count("select count(*)::int as n from flow_runs where workspace_id = $1", [w.ws.id])).toBe(10);
    expect(await usedRuns(w.ws.id)).toBe(2_000);
  });

  it("the scheduler fills only the slots that fit, skips the rest and shows the banner; runs removed before they start give quota back", async () => {
    const w = await createWorkspaceWithMembers(db);
    const d = await deploymentOf(w.ws.id);
    const [s] = await db.insert(schedules).values({ workspaceId: w.ws.id, deploymentId: d.id, kind: "interval", intervalSeconds: 60, anchor: new Date("2026-01-01T00:00:00Z"), timezone: "UTC" } as never).returning();
    const now = new Date();
    const month = usageMonth(now);
    // Leave room for 5 runs this month (and next month, should the hour ahead cross into it).
    await setRuns(w.ws.id, 1_995, month);
    await setRuns(w.ws.id, 1_995, usageMonth(new Date(now.getTime() + 8 * 86_400_000)));
    await fillSchedules(db, { now });
    const created = await count("select count(*)::int as n from flow_runs where schedule_id = $1", [s.id]);
    expect(created).toBeGreaterThanOrEqual(5);
    expect(created).toBeLessThanOrEqual(10);
    expect(await usedRuns(w.ws.id, month)).toBe(2_000);
    expect((await billingBanner(db, w.ws.id))?.kind).toBe("quota");
    await db.delete(schedules).where(eq(schedules.id, s.id));
    await db.$client.query("delete from flow_runs where workspace_id = $1 and state_type = 'SCHEDULED'", [w.ws.id]);
    expect(await usedRuns(w.ws.id, month)).toBeLessThan(2_000);
  });

  it("after an upgrade the scheduler creates the slots it skipped over quota (no gap in the schedule)", async () => {
    const w = await upgradedWorkspace();
    const d = await deploymentOf(w.ws.id);
    const [s] = await db.insert(schedules).values({ workspaceId: w.ws.id, deploymentId: d.id, kind: "interval", intervalSeconds: 60, anchor: new Date("2026-01-01T00:00:00Z"), timezone: "UTC" } as never).returning();
    const now = new Date();
    await setRuns(w.ws.id, 1_998, usageMonth(now));
    await setRuns(w.ws.id, 1_998, usageMonth(new Date(now.getTime() + 8 * 86_400_000)));
    await fillSchedules(db, { now });
    const slotsOf = async () => count("select count(*)::int as n from flow_runs where schedule_id = $1", [s.id]);
    const onHobby = await slotsOf();
    expect(onHobby).toBeLessThanOrEqual(4);

    stripe.setSubscriptions(w.customer, [{ id: "sub_sched", status: "active", price: "price_pro", created: 1_790_000_000 }]);
    await deliver(signedEvent("customer.subscription.created", { id: "sub_sched", object: "subscription", customer: w.customer }));
    await fillSchedules(db, { now: new Date(now.getTime() + 1_000) });
    // An hour ahead at one a minute: the slots skipped on Hobby are there now.
    expect(await slotsOf()).toBeGreaterThanOrEqual(59);
  });
});

describe("limits by plan", () => {
  it("a Pro workspace has 50,000 runs a month", async () => {
    const w = await upgradedWorkspace();
    stripe.setSubscriptions(w.customer, [{ id: "sub_p", status: "active", price: "price_pro", created: 1_790_000_000 }]);
    await deliver(signedEvent("customer.subscription.created", { id: "sub_p", object: "subscription", customer: w.customer }));
    const d = await deploymentOf(w.ws.id);
    await setRuns(w.ws.id, 2_000);
    await createDeploymentRun(db, w.ws.id, TEST_ACTOR, d.id, createRunSchema.parse({}));
    await setRuns(w.ws.id, 50_000);
    await expect(createDeploymentRun(db, w.ws.id, TEST_ACTOR, d.id, createRunSchema.parse({}))).rejects.toThrow("Plan limit reached: 50,000 runs this month on Pro.");
  });

  it("members, agents online and deployments: Hobby's limits refuse the one too many with plan_limit, also under concurrency", async () => {
    const w = await createWorkspaceWithMembers(db, ["developer"]);
    const slug = w.ws.slug;
    await w.owner.caller.invitations.create({ workspace: slug, email: "third@example.com", role: "viewer" });
    await expect(w.owner.caller.invitations.create({ workspace: slug, email: "fourth@example.com", role: "viewer" })).rejects.toMatchObject({
      code: "PAYMENT_REQUIRED",
      message: "Plan limit reached: 3 members (pending invitations count too) on Hobby. Upgrade in Settings → Billing.",
    });
    // Re-inviting the same address replaces its invitation, so it is allowed.
    await w.owner.caller.invitations.create({ workspace: slug, email: "third@example.com", role: "runner" });

    const agent = (name: string) => registerAgent(db, w.ws.id, { name, workPool: "default" } as never);
    await agent("a1");
    await agent("a2");
    await agent("a1"); // re-registering is not a new agent
    await expect(agent("a3")).rejects.toMatchObject({ code: "PLAN_LIMIT", message: "Plan limit reached: 2 agents online on Hobby. Upgrade in Settings → Billing." });
    await db.$client.query("update agents set last_heartbeat_at = now() - interval '1 hour' where workspace_id = $1 and name = 'a2'", [w.ws.id]);
    await agent("a3");

    const deploy = (name: string) => upsertDeployment(db, w.ws.id, TEST_ACTOR, { flowName: "f", name, kind: "command", command: "true" });
    await Promise.all(["d1", "d2", "d3"].map(deploy));
    const results = await Promise.allSettled(["d4", "d5", "d6", "d7"].map(deploy));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    expect(await count("select count(*)::int as n from deployments where workspace_id = $1", [w.ws.id])).toBe(5);
    await deploy("d1"); // updating an existing deployment is always allowed
    await expect(deploy("d8")).rejects.toThrow("Plan limit reached: 5 deployments on Hobby. Upgrade in Settings → Billing.");
  });

  it("B's owner cannot see or act on A's billing; A's Stripe customer is never used", async () => {
    const a = await upgradedWorkspace();
    const b = await createWorkspaceWithMembers(db);
    const before = stripe.requests.length;
    for (const call of [
      () => b.owner.caller.billing.overview({ workspace: a.ws.slug }),
      () => b.owner.caller.billing.checkout({ workspace: a.ws.slug, plan: "team" }),
      () => b.owner.caller.billing.portal({ workspace: a.ws.slug }),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
    expect(stripe.requests.length).toBe(before);
    await expect(b.owner.caller.billing.portal({ workspace: b.ws.slug })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(stripe.requests.slice(before).some((r) => JSON.stringify(r.body).includes(a.customer))).toBe(false);
  });

  it("retention follows the plan: Hobby keeps finished runs 7 days, Pro 30", async () => {
    const hobby = await createWorkspaceWithMembers(db);
    const pro = await upgradedWorkspace();
    stripe.setSubscriptions(pro.customer, [{ id: "sub_r", status: "active", price: "price_pro", created: 1_790_000_000 }]);
    await deliver(signedEvent("customer.subscription.created", { id: "sub_r", object: "subscription", customer: pro.customer }));
    const now = new Date();
    const finishedRun = async (workspaceId: string, daysAgo: number) => {
      const d = await deploymentOf(workspaceId);
      const id = uuidv7();
      const at = new Date(now.getTime() - daysAgo * 86_400_000);
      await db.$client.query(
        `insert into flow_runs (id, workspace_id, flow_id, deployment_id, name, state_type, state_name, state_timestamp, scheduled_time, attempt)
         values ($1, $2, $3, $4, 'old', 'COMPLETED', 'Completed', $5, $5, 1)`,
        [id, workspaceId, d.flowId, d.id, at],
      );
      return id;
    };
    const runs = { hobby10: await finishedRun(hobby.ws.id, 10), hobby3: await finishedRun(hobby.ws.id, 3), pro10: await finishedRun(pro.ws.id, 10), pro40: await finishedRun(pro.ws.id, 40) };
    await deleteExpiredDataByPlan(db, { now });
    const left = (await db.$client.query<{ id: string }>("select id from flow_runs where id = any($1)", [Object.values(runs)])).rows.map((r) => r.id);
    expect(left.sort()).toEqual([runs.hobby3, runs.pro10].sort());
  });
});
