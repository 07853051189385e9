import { canonicalJson } from "../db/canonical-json";
import { and, asc, eq, inArray, type SQL } from "drizzle-orm";
import { scheduleInputSchema, type ScheduleInput } from "../../agent/protocol/deployments";
import type { Actor } from "../audit/record-audit-event";
import type { Tx } from "../db/client";
import { flowRuns, schedules, type Schedule } from "../db/schema";
import { AppError } from "../errors";
import { notifyLive } from "../live/notify-live";
import { recordScheduleChanges } from "./schedule-audit";
import { validateSchedule } from "./schedule-slots";

type Definition = {
  kind: Schedule["kind"];
  cron: string | null;
  intervalSeconds: number | null;
  /** Null when the input gave none: then any stored anchor counts as the same. */
  anchor: Date | null;
  rrule: string | null;
  timezone: string;
  active: boolean;
  parameters: Record<string, unknown>;
};


function toDefinition(raw: ScheduleInput, index: number, now: Date): Definition {
  const where = `Schedule ${index + 1}`;
  const parsed = scheduleInputSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("BAD_REQUEST", `${where}: ${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`);
  }
  const s = parsed.data;
  const def: Definition = {
    kind: s.kind,
    cron: s.kind === "cron" ? s.cron.trim() : null,
    intervalSeconds: s.kind === "interval" ? s.intervalSeconds : null,
    anchor: s.kind === "interval" && s.anchor ? new Date(s.anchor) : null,
    rrule: s.kind === "rrule" ? s.rrule.replace(/\r\n?/g, "\n").trim() : null,
    timezone: s.timezone,
    active: s.active,
    parameters: s.parameters,
  };
  try {
    // The default anchor only matters for validation here; the stored one is set on insert.
    const compiled = validateSchedule({ ...def, createdAt: now }, now);
    // An RRULE's DTSTART;TZID sets the zone; store it so what the UI shows is what runs.
    return { ...def, timezone: compiled.timezone };
  } catch (err) {
    if (err instanceof AppError) throw new AppError(err.code, `${where}: ${err.message}`);
    throw err;
  }
}

function sameDefinition(row: Schedule, def: Definition): boolean {
  return (
    row.kind === def.kind &&
    row.cron === def.cron &&
    row.intervalSeconds === def.intervalSeconds &&
    (def.anchor === null || row.anchor?.getTime() === def.anchor.getTime()) &&
    row.rrule === def.rrule &&
    row.timezone === def.timezone &&
    row.active === def.active &&
    canonicalJson(row.parameters) === canonicalJson(def.parameters)
  );
}

/**
 * Makes a deployment's schedules exactly `inputs`, in the caller's transaction. A schedule whose
 * definition is unchanged keeps its row, and so its future runs; changed and removed ones are
 * deleted with their future unstarted runs; new ones start filling on the scheduler's next tick.
 * Deploying the same schedules again therefore changes nothing (`changed: false`). What changed
 * goes to the audit log as the actor's, in the same transaction.
 * Throws AppError("BAD_REQUEST") naming the schedule and what to fix.
 */
export async function replaceSchedules(
  tx: Tx,
  opts: { workspaceId: string; deploymentId: string; schedules: ScheduleInput[]; actor: Actor; deploymentLabel: string; now?: Date },
): Promise<{ schedules: Schedule[]; changed: boolean }> {
  const now = opts.now ?? new Date();
  const defs = opts.schedules.map((raw, i) => toDefinition(raw, i, now));
  defs.forEach((d, i) => {
    const first = defs.findIndex((other) => canonicalJson(other) === canonicalJson(d));
    if (first < i) throw new AppError("BAD_REQUEST", `Schedule ${i + 1} repeats schedule ${first + 1}; remove one of them.`);
  });

  // Locked first, so a scheduler filling them finishes (and its runs are seen below) or skips them.
  const existing = await tx
    .select()
    .from(schedules)
    .where(and(eq(schedules.workspaceId, opts.workspaceId), eq(schedules.deploymentId, opts.deploymentId)))
    .orderBy(asc(schedules.createdAt), asc(schedules.id))
    .for("update");

  const kept = new Map<number, Schedule>();
  const unmatched = [...existing];
  defs.forEach((def, i) => {
    const at = unmatched.findIndex((row) => sameDefinition(row, def));
    if (at >= 0) kept.set(i, unmatched.splice(at, 1)[0]);
  });

  if (unmatched.length) {
    const ids = unmatched.map((r) => r.id);
    await removeFutureRuns(tx, { workspaceId: opts.workspaceId, scheduleIds: ids });
    await tx.delete(schedules).where(and(eq(schedules.workspaceId, opts.workspaceId), inArray(schedules.id, ids)));
  }

  const toInsert = defs.map((def, i) => ({ def, i })).filter(({ i }) => !kept.has(i));
  const inserted = toInsert.length
    ? await tx
        .insert(schedules)
        .values(
          toInsert.map(({ def }) => ({
            workspaceId: opts.workspaceId,
            deploymentId: opts.deploymentId,
            kind: def.kind,
            cron: def.cron,
            intervalSeconds: def.intervalSeconds,
            // Intervals count from their creation, to the second, unless anchored explicitly.
            anchor: def.kind === "interval" ? (def.anchor ?? new Date(Math.floor(now.getTime() / 1000) * 1000)) : null,
            rrule: def.rrule,
            timezone: def.timezone,
            active: def.active,
            parameters: def.parameters,
          })),
        )
        .returning()
    : [];

  const rows = defs.map((_, i) => kept.get(i) ?? inserted[toInsert.findIndex((t) => t.i === i)]);
  const changed = unmatched.length > 0 || inserted.length > 0;
  if (changed) await recordScheduleChanges(tx, opts, unmatched, inserted);
  if (changed) await notifyLive(tx, opts.workspaceId, "deployment", [opts.deploymentId]);
  return { schedules: rows, changed };
}

/**
 * Deletes the future runs of a deployment's schedules (or of the given schedules) that never
 * started: SCHEDULED (Scheduled or Late), made by the scheduler, never claimed (attempt 0). Runs
 * being retried (AwaitingRetry) and anything claimed stay. Call it in the same transaction that
 * pauses or deletes a deployment or changes a schedule.
 *
 * The schedules are locked first and their filledUntil cleared, so a scheduler in the middle of
 * filling them either finishes first (its runs are then deleted here) or skips them, and a paused
 * deployment resumes from "now" rather than from where it had filled to, with no catch-up run.
 * A run being claimed at this moment is not deleted: the DELETE waits for the claim's row lock
 * and then re-reads the row, which is no longer SCHEDULED.
 */
export async function removeFutureRuns(tx: Tx, opts: { workspaceId: string; deploymentId?: string; scheduleIds?: string[] }): Promise<number> {
  if (!opts.deploymentId && !opts.scheduleIds?.length) return 0;
  const scheduleFilter: SQL[] = [eq(schedules.workspaceId, opts.workspaceId)];
  const runFilter: SQL[] = [
    eq(flowRuns.workspaceId, opts.workspaceId),
    eq(flowRuns.stateType, "SCHEDULED"),
    eq(flowRuns.autoScheduled, true),
    eq(flowRuns.attempt, 0),
  ];
  if (opts.deploymentId) {
    scheduleFilter.push(eq(schedules.deploymentId, opts.deploymentId));
    runFilter.push(eq(flowRuns.deploymentId, opts.deploymentId));
  }
  if (opts.scheduleIds?.length) {
    scheduleFilter.push(inArray(schedules.id, opts.scheduleIds));
    runFilter.push(inArray(flowRuns.scheduleId, opts.scheduleIds));
  }
  const locked = await tx
    .select({ id: schedules.id })
    .from(schedules)
    .where(and(...scheduleFilter))
    .orderBy(asc(schedules.id))
    .for("no key update");
  const deleted = await tx.delete(flowRuns).where(and(...runFilter)).returning({ id: flowRuns.id });
  // Open runs pages drop them (a refetch no longer finds them).
  if (deleted.length) await notifyLive(tx, opts.workspaceId, "flow_run", deleted.map((r) => r.id));
  if (locked.length) {
    await tx
      .update(schedules)
      .set({ filledUntil: null })
      .where(inArray(schedules.id, locked.map((s) => s.id)));
  }
  return deleted.length;
}
