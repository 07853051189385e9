import { z } from "zod";
import { billingOverview } from "../../billing/billing-overview";
import { createCheckoutSession, createPortalSession } from "../../billing/checkout";
import { requireRole, router } from "../init";

const limit = z.number().int().nullable();

/** Owners only. Self-hosted (no STRIPE_SECRET_KEY): every procedure answers NOT_FOUND. */
export const billingRouter = router({
  overview: requireRole("owner")
    .output(
      z.object({
        plan: z.object({ id: z.enum(["hobby", "pro", "team"]), name: z.string() }),
        subscribedPlan: z.enum(["hobby", "pro", "team"]),
        status: z.string().nullable(),
        renewsAt: z.string().nullable(),
        cancelAtPeriodEnd: z.boolean(),
        pastDue: z.boolean(),
        graceEndsAt: z.string().nullable(),
        hasCustomer: z.boolean(),
        month: z.string(),
        limitHit: z.boolean(),
        usage: z.array(z.object({ key: z.string(), label: z.string(), used: z.number().int(), limit })),
        retentionDays: z.number().int(),
        upgrades: z.array(z.object({ id: z.enum(["pro", "team"]), name: z.string(), runsPerMonth: z.number().int(), members: limit, agents: limit, retentionDays: z.number().int() })),
      }),
    )
    .query(({ ctx }) => billingOverview(ctx.db, ctx.workspace.id)),

  checkout: requireRole("owner")
    .input(z.object({ plan: z.enum(["pro", "team"]) }))
    .output(z.object({ url: z.string() }))
    .mutation(({ ctx, input }) => createCheckoutSession(ctx.db, ctx.workspace, ctx.user, input.plan)),

  portal: requireRole("owner")
    .output(z.object({ url: z.string() }))
    .mutation(({ ctx }) => createPortalSession(ctx.db, ctx.workspace)),
});
