import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createRunSchema } from "../agent/protocol/runs";
import { registerAgent } from "../server/agents/agents";
import { billingBanner } from "../server/billing/billing-overview";
import { usageMonth } from "../server/billing/run-quota";
import { handleStripeWebhook } from "../server/billing/stripe-webhook";
import { deployments, flows, schedules, workPools } from "../server/db/schema";
import { upsertDeployment } from "../server/deployments/upsert-deployment";
import { env } from "../server/env";
import { createDeploymentRun } from "../server/runs/create-run";
import { fillSchedules } from "../server/scheduling/fill-schedules";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers, TEST_ACTOR } from "./helpers/fixtures";

/** No STRIPE_SECRET_KEY: self-hosted. No billing procedures or webhook, and no limit of any plan. */
const { db } = await createTestDatabase();
const count = async (sql: string, params: unknown[]) => (await db.$client.query<{ n: number }>(sql, params)).rows[0].n;

describe("self-hosted mode", () => {
  it("has no billing: the procedures and the webhook answer NOT_FOUND, and no banner", async () => {
    expect(env().STRIPE_SECRET_KEY).toBeUndefined();
    const w = await createWorkspaceWithMembers(db);
    await expect(w.owner.caller.billing.overview({ workspace: w.ws.slug })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(w.owner.caller.billing.checkout({ workspace: w.ws.slug, plan: "pro" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(w.owner.caller.billing.portal({ workspace: w.ws.slug })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(handleStripeWebhook(db, "{}", "t=1,v1=x")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await billingBanner(db, w.ws.id)).toBeNull();
  });

  it("has no limits: runs past any quota (counted or not), members, agents and deployments past Hobby's", async () => {
    const w = await createWorkspaceWithMembers(db, ["developer", "runner", "viewer"]);
    await w.owner.caller.invitations.create({ workspace: w.ws.slug, email: "fifth@example.com", role: "viewer" });
    for (const name of ["a1", "a2", "a3"]) await registerAgent(db, w.ws.id, { name, workPool: "default" } as never);
    for (const name of ["d1", "d2", "d3", "d4", "d5", "d6"]) await upsertDeployment(db, w.ws.id, TEST_ACTOR, { flowName: "f", name, kind: "command", command: "true" });

    const [pool] = await db.select().from(workPools).where(and(eq(workPools.workspaceId, w.ws.id), eq(workPools.name, "default")));
    const [flow] = await db.insert(flows).values({ workspaceId: w.ws.id, name: `flow-${randomBytes(4).toString("hex")}` }).returning();
    const [d] = await db.insert(deployments).values({ workspaceId: w.ws.id, flowId: flow.id, name: "d", kind: "command", command: "true", workPoolId: pool.id }).returning();
    // Even a counter row at the limit (left from hosted days, say) does not stop runs.
    await db.$client.query("insert into workspace_usage (workspace_id, month, runs) values ($1, $2, 500000)", [w.ws.id, usageMonth(new Date())]);
    await Promise.all(Array.from({ length: 20 }, () => createDeploymentRun(db, w.ws.id, TEST_ACTOR, d.id, createRunSchema.parse({}))));
    await db.insert(schedules).values({ workspaceId: w.ws.id, deploymentId: d.id, kind: "interval", intervalSeconds: 60, anchor: new Date("2026-01-01T00:00:00Z"), timezone: "UTC" } as never);
    const filled = await fillSchedules(db, { now: new Date() });
    expect(filled.runsCreated).toBeGreaterThanOrEqual(60);
    expect(await count("select runs as n from workspace_usage where workspace_id = $1", [w.ws.id])).toBe(500_000);
    expect(await count("select count(*)::int as n from workspace_usage", [])).toBe(1);
  });
});
