import { sql } from "drizzle-orm";
import { AGENT_OFFLINE_AFTER_SECONDS } from "../agents/agents";
import type { Queryable } from "../db/client";
import type { PlanId } from "../db/schema";
import { AppError } from "../errors";
import { billingEnabled, formatCount } from "./plans";
import { effectivePlan } from "./workspace-plan";

type Kind = "members" | "agents" | "deployments";

const COUNT: Record<Kind, (workspaceId: string, except: string | null) => ReturnType<typeof sql>> = {
  // Pending invitations hold a seat, so every invitation sent can be accepted.
  members: (ws, exceptEmail) => sql`select (select count(*) from memberships where workspace_id = ${ws})
      + (select count(*) from invitations where workspace_id = ${ws} and accepted_at is null and revoked_at is null and expires_at > now()
           and email is distinct from ${exceptEmail}) as n`,
  agents: (ws, exceptName) => sql`select count(*) as n from agents where workspace_id = ${ws} and name is distinct from ${exceptName}
      and last_heartbeat_at > now() - make_interval(secs => ${AGENT_OFFLINE_AFTER_SECONDS})`,
  deployments: (ws) => sql`select count(*) as n from deployments where workspace_id = ${ws}`,
};

const WHAT: Record<Kind, (n: string) => string> = {
  members: (n) => `${n} members (pending invitations count too)`,
  agents: (n) => `${n} agents online`,
  deployments: (n) => `${n} deployments`,
};

/**
 * Refuses (402 `plan_limit`) the member, agent or deployment that would exceed the workspace's
 * plan. Call inside the transaction that adds it: a transaction-scoped advisory lock per
 * workspace and kind makes concurrent additions count one after another. Self-hosted: no-op.
 * `except` leaves out the row being replaced (an invitation to the same address, an agent
 * re-registering under its name); `adding` is how many the caller adds (0 to check a
 * membership whose pending invitation is already counted).
 */
export async function assertPlanAllows(tx: Queryable, workspaceId: string, kind: Kind, opts: { except?: string | null; adding?: number } = {}) {
  if (!billingEnabled()) return;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`baton-plan-limit:${kind}`}), hashtext(${workspaceId}))`);
  const { rows } = await tx.execute<{ plan: PlanId; past_due_since: string | null }>(
    sql`select plan, past_due_since from workspace_billing where workspace_id = ${workspaceId}`,
  );
  const row = rows[0];
  const { plan } = effectivePlan(row ? { plan: row.plan, pastDueSince: row.past_due_since ? new Date(row.past_due_since) : null } : null, new Date());
  const limit = plan.limits[kind];
  if (limit === null) return;
  const counted = await tx.execute<{ n: string }>(COUNT[kind](workspaceId, opts.except ?? null));
  if (Number(counted.rows[0].n) + (opts.adding ?? 1) > limit) {
    throw new AppError("PLAN_LIMIT", `Plan limit reached: ${WHAT[kind](formatCount(limit))} on ${plan.name}. Upgrade in Settings → Billing.`, { limit, plan: plan.id, kind });
  }
}
