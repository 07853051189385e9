import type { Db } from "../db/client";
import { sendEmail } from "../email/send-email";
import { publicUrl } from "../env";
import type { Plan } from "./plans";

/** Owners' addresses and the workspace's name and slug, for billing emails. */
export async function workspaceOwners(db: Db, workspaceId: string) {
  const { rows } = await db.$client.query<{ email: string; name: string; slug: string }>(
    `select u.email, w.name, w.slug from memberships m join users u on u.id = m.user_id join workspaces w on w.id = m.workspace_id
      where m.workspace_id = $1 and m.role = 'owner' order by u.email`,
    [workspaceId],
  );
  return rows;
}

/**
 * Emails the owners once per month at 80% and once at 100% of the run quota. Each threshold is
 * claimed by a conditional UPDATE first, so concurrent run creations send it once.
 */
export async function notifyUsageThresholds(db: Db, workspaceId: string, month: string, plan: Plan): Promise<void> {
  const limit = plan.limits.runsPerMonth;
  for (const [percent, column] of [[100, "at_limit_email_at"], [80, "near_limit_email_at"]] as const) {
    const { rows } = await db.$client.query<{ runs: number }>(
      `update workspace_usage set ${column} = now()
        where workspace_id = $1 and month = $2 and ${column} is null and runs >= $3 returning runs`,
      [workspaceId, month, Math.ceil((limit * percent) / 100)],
    );
    if (!rows.length) continue;
    // At 100% the 80% email is no longer news: mark it sent too.
    if (percent === 100) {
      await db.$client.query("update workspace_usage set near_limit_email_at = coalesce(near_limit_email_at, now()) where workspace_id = $1 and month = $2", [workspaceId, month]);
    }
    const owners = await workspaceOwners(db, workspaceId);
    for (const o of owners) {
      await sendEmail(db, {
        to: o.email,
        template: "usage-limit",
        props: { workspaceName: o.name, planName: plan.name, percent, runs: Math.min(rows[0].runs, limit), limit, url: `${publicUrl()}/w/${o.slug}/settings/billing` },
        workspaceId,
      });
    }
    return;
  }
}
