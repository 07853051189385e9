import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import type { Tx } from "../db/client";
import type { Schedule } from "../db/schema";

type Definition = Pick<Schedule, "kind" | "cron" | "intervalSeconds" | "rrule" | "timezone" | "active" | "parameters">;

/** `cron "0 9 * * *" (Europe/Berlin)`: enough to recognise a schedule in the audit log. */
export function scheduleSummary(s: Definition): string {
  const what = s.kind === "cron" ? `cron "${s.cron}"` : s.kind === "interval" ? `every ${s.intervalSeconds} s` : `rrule ${s.rrule?.replace(/\n/g, " ")}`;
  return `${what} (${s.timezone})${s.active ? "" : ", inactive"}`;
}

const sameExceptActive = (a: Definition, b: Definition) =>
  a.kind === b.kind && a.cron === b.cron && a.intervalSeconds === b.intervalSeconds && a.rrule === b.rrule && a.timezone === b.timezone && JSON.stringify(a.parameters) === JSON.stringify(b.parameters);

/**
 * Audit events for one replacement of a deployment's schedules. A replacement only knows which
 * rows went and which came, so they are paired as a person would read them: a new row that
 * differs from a removed one only in `active` was activated or deactivated; other new rows take
 * the place of removed ones in order (changed); the rest were added or removed.
 */
export async function recordScheduleChanges(
  tx: Tx,
  opts: { workspaceId: string; actor: Actor; deploymentLabel: string },
  removed: Schedule[],
  added: Schedule[],
) {
  const gone = [...removed];
  const events: { action: string; id: string; details: Record<string, unknown> }[] = [];
  const rest: Schedule[] = [];
  for (const row of added) {
    const at = gone.findIndex((old) => sameExceptActive(old, row) && old.active !== row.active);
    if (at < 0) {
      rest.push(row);
      continue;
    }
    gone.splice(at, 1);
    events.push({ action: row.active ? "schedule.activated" : "schedule.deactivated", id: row.id, details: { schedule: scheduleSummary(row) } });
  }
  for (const row of rest) {
    const old = gone.shift();
    if (old) events.push({ action: "schedule.updated", id: row.id, details: { from: scheduleSummary(old), to: scheduleSummary(row) } });
    else events.push({ action: "schedule.created", id: row.id, details: { schedule: scheduleSummary(row) } });
  }
  for (const old of gone) events.push({ action: "schedule.deleted", id: old.id, details: { schedule: scheduleSummary(old) } });
  for (const e of events) {
    await recordAuditEvent(tx, opts.workspaceId, opts.actor, { action: e.action, targetType: "schedule", targetId: e.id, targetLabel: opts.deploymentLabel, details: e.details });
  }
}
