import type { Db } from "../db/client";
import { billingEnabled, formatCount } from "./plans";
import { usageMonth } from "./run-quota";
import { workspacePlan } from "./workspace-plan";

/**
 * Counts `count` alert emails against this month's allowance of the workspace's plan, if they fit
 * (the month's counter row is incremented only while under the limit, so concurrent sends never
 * exceed it). Returns the refusal's sentence, or null when the emails may go. Self-hosted: unlimited.
 */
export async function reserveAlertEmails(db: Db, workspaceId: string, count: number, now = new Date()): Promise<string | null> {
  if (!billingEnabled() || count === 0) return null;
  const plan = await workspacePlan(db, workspaceId, now);
  const limit = plan.limits.alertEmailsPerMonth;
  const { rowCount } = await db.$client.query(
    `insert into workspace_usage (workspace_id, month, alert_emails) select $1::uuid, $2::date, $3::int where $3::int <= $4::int
     on conflict (workspace_id, month) do update set alert_emails = workspace_usage.alert_emails + $3::int
      where workspace_usage.alert_emails + $3::int <= $4::int`,
    [workspaceId, usageMonth(now), count, limit],
  );
  if (rowCount) return null;
  return `Skipped: this workspace used its ${formatCount(limit)} alert emails this month on ${plan.name}. Upgrade in Settings → Billing, or alert through Slack or a webhook.`;
}

/** Gives back a reservation whose emails were not sent (the send is retried or failed for good). */
export async function releaseAlertEmails(db: Db, workspaceId: string, count: number, now = new Date()): Promise<void> {
  if (!billingEnabled() || count === 0) return;
  await db.$client.query(`update workspace_usage set alert_emails = greatest(alert_emails - $3::int, 0) where workspace_id = $1 and month = $2`, [workspaceId, usageMonth(now), count]);
}
