import type { Db } from "@/server/db/client";
import { sendEmail } from "@/server/email/send-email";
import { publicUrl } from "@/server/env";
import { destinationDisabledEmail } from "./alert-email";

/** Tells the workspace's owners that Baton stopped sending to a destination, and where to fix it. */
export async function notifyOwnersOfDisabledDestination(db: Db, destinationId: string): Promise<void> {
  const { rows } = await db.$client.query<{ workspaceId: string; workspaceName: string; slug: string; automationId: string; automationName: string; target: string; reason: string; owners: string[] }>(
    `select w.id as "workspaceId", w.name as "workspaceName", w.slug, a.id as "automationId", a.name as "automationName", d.target,
            coalesce(d.disabled_reason, '') as reason,
            array(select u.email from memberships m join users u on u.id = m.user_id where m.workspace_id = w.id and m.role = 'owner') as owners
       from alert_destinations d join automations a on a.id = d.automation_id join workspaces w on w.id = d.workspace_id
      where d.id = $1`,
    [destinationId],
  );
  const row = rows[0];
  if (!row) return;
  const { template, props } = destinationDisabledEmail({
    workspaceName: row.workspaceName,
    automationName: row.automationName,
    automationUrl: `${publicUrl()}/w/${row.slug}/automations/${row.automationId}`,
    target: row.target,
    reason: row.reason,
  });
  for (const to of row.owners) {
    await sendEmail(db, { to, template, props: props as never, workspaceId: row.workspaceId }).catch((err: unknown) => {
      console.error(`[alerts] could not email ${to} about the disabled destination ${destinationId}:`, err);
    });
  }
}
