import { z } from "zod";
import { AppError } from "../errors";
import { slotsAfter, validateSchedule } from "./schedule-slots";

/** Loose on purpose: what a person is still typing is checked by the scheduling code, whose messages say what to fix. */
export const schedulePreviewInputSchema = z.object({
  kind: z.enum(["cron", "interval", "rrule"]),
  cron: z.string().max(200).optional(),
  intervalSeconds: z.number().optional(),
  anchor: z.iso.datetime({ offset: true }).optional(),
  rrule: z.string().max(2000).optional(),
  timezone: z.string().max(100).default("UTC"),
  count: z.number().int().min(1).max(20).default(5),
});

export const schedulePreviewSchema = z.object({ timezone: z.string(), times: z.array(z.string()) });

/** The field of the editor a scheduling error belongs to. */
function fieldOf(kind: "cron" | "interval" | "rrule", message: string) {
  if (/^Unknown time zone/.test(message)) return "timezone";
  if (kind === "interval") return /anchor/i.test(message) ? "anchor" : "intervalSeconds";
  return kind;
}

/**
 * The next `count` times a schedule definition would run, computed by the same code the scheduler
 * uses. An invalid definition is AppError("BAD_REQUEST") with details.fieldErrors naming the field.
 */
export function previewSchedule(input: z.output<typeof schedulePreviewInputSchema>, now = new Date()) {
  const def = {
    kind: input.kind,
    cron: input.cron ?? null,
    intervalSeconds: input.intervalSeconds ?? null,
    anchor: input.anchor ? new Date(input.anchor) : null,
    rrule: input.rrule ?? null,
    timezone: input.timezone,
    createdAt: new Date(Math.floor(now.getTime() / 1000) * 1000),
  };
  try {
    const compiled = validateSchedule(def, now);
    return { timezone: compiled.timezone, times: slotsAfter(compiled, now, input.count).map((d) => d.toISOString()) };
  } catch (err) {
    if (err instanceof AppError) throw new AppError(err.code, err.message, { fieldErrors: { [fieldOf(input.kind, err.message)]: [err.message] } });
    throw err;
  }
}
