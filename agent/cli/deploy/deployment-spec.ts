import { z } from "zod";
import { catchUpSchema, isPythonEntrypoint, maxLatenessSchema } from "../../protocol/deployments";
import { configNameSchema } from "../../protocol/secrets";
import { ALERT_RUN_EVENTS } from "../../protocol/automations";

/** One deployment as `baton deploy` flags or a `baton.yaml` entry describe it. */
export const deploymentSpecSchema = z
  .object({
    name: z.string().trim().min(1, "needs a name"),
    entrypoint: z.string().regex(/^[^:]+:[A-Za-z_$][\w$]*$/, "use path/file.ts:exportName or path/file.py:function").optional(),
    command: z.string().min(1).optional(),
    /** A Python flow's interpreter, relative to the baton.yaml's folder or on PATH. */
    python: z.string().trim().min(1).optional(),
    /** The folder the runs work in, relative to the baton.yaml's folder (default: that folder): a local source. */
    workdir: z.string().trim().min(1).optional(),
    /** A git repository instead of a local folder. */
    source: z
      .object({ git: z.string().trim().min(1), ref: z.string().trim().min(1).optional(), path: z.string().trim().min(1).optional(), credentials: z.string().trim().min(1).optional() })
      .strict()
      .optional(),
    /** A command run in the working directory before the entrypoint (once per cache key). */
    setup: z.union([z.string().trim().min(1), z.object({ run: z.string().trim().min(1), cacheKey: z.array(z.string().trim().min(1)).optional() }).strict()]).optional(),
    /** A command's parameters as a JSON Schema (flows get theirs from the code). */
    parameterSchema: z.record(z.string(), z.unknown()).optional(),
    flow: z.string().min(1).optional(),
    pool: z.string().min(1).optional(),
    cron: z.string().min(1).optional(),
    timezone: z.string().min(1).optional(),
    interval: z.number().int().positive().optional(),
    rrule: z.string().min(1).optional(),
    schedules: z
      .array(
        z.union([
          z.object({ cron: z.string().min(1), timezone: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional(), active: z.boolean().optional() }).strict(),
          z.object({ interval: z.number().int().positive(), anchor: z.string().optional(), timezone: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional(), active: z.boolean().optional() }).strict(),
          z.object({ rrule: z.string().min(1), timezone: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional(), active: z.boolean().optional() }).strict(),
        ]),
      )
      .optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    retries: z.number().int().min(0).optional(),
    retryDelay: z.union([z.number().min(0), z.array(z.number().min(0)).min(1)]).optional(),
    timeout: z.number().int().positive().optional(),
    tags: z.array(z.string().min(1)).optional(),
    concurrency: z.number().int().min(0).optional(),
    description: z.string().optional(),
    paused: z.boolean().optional(),
    catchup: catchUpSchema.optional(),
    maxLateness: maxLatenessSchema.optional(),
    /** Literals or `{{ secrets.NAME }}` / `{{ variables.NAME }}`; YAML numbers and booleans are taken as their text. */
    env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
    secrets: z.array(configNameSchema).optional(),
    /** Run this deployment after another's run enters a state, with parameters from a template over that run. */
    triggers: z
      .array(
        z
          .object({
            name: z.string().trim().min(1).optional(),
            after: z.string().trim().regex(/^[^/]+\/[^/]+$/, "name the upstream deployment as flow/deployment, e.g. ingest/daily"),
            on: z.union([z.enum(ALERT_RUN_EVENTS), z.array(z.enum(ALERT_RUN_EVENTS)).min(1)]).optional(),
            parameters: z.record(z.string(), z.unknown()).optional(),
            enabled: z.boolean().optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict()
  .refine((d) => Boolean(d.entrypoint) !== Boolean(d.command), { message: "give either an entrypoint (path/file.ts:flowName) or a command, not both", path: ["entrypoint"] })
  .refine((d) => d.python === undefined || isPythonEntrypoint(d.entrypoint), { message: "python is the interpreter of a Python flow: give an entrypoint path/file.py:function, or leave python out", path: ["python"] })
  .refine((d) => d.workdir === undefined || d.source === undefined, { message: "give workdir (a folder on this machine) or source (a git repository), not both", path: ["workdir"] })
  .refine((d) => d.parameterSchema === undefined || d.command !== undefined, {
    message: "a flow's parameter schema comes from its code (zod parameters or the Python signature); parameterSchema is for commands",
    path: ["parameterSchema"],
  })
  .refine((d) => [d.cron, d.interval, d.rrule, d.schedules].filter((x) => x !== undefined).length <= 1, {
    message: "give one of cron, interval, rrule or schedules",
    path: ["schedules"],
  });

export type DeploymentSpec = z.infer<typeof deploymentSpecSchema>;

/** The API's triggers for a spec from a baton.yaml: always a list, so a trigger removed from the file is removed in Baton. */
export function triggersOf(spec: DeploymentSpec) {
  return (spec.triggers ?? []).map((t) => ({
    ...(t.name ? { name: t.name } : {}),
    after: t.after,
    on: t.on === undefined ? ["Completed" as const] : Array.isArray(t.on) ? t.on : [t.on],
    parameters: t.parameters ?? {},
    enabled: t.enabled ?? true,
  }));
}

/** The API's schedules for a spec: always a list, so removing a schedule from the spec removes it in Baton. */
export function schedulesOf(spec: DeploymentSpec) {
  const tz = spec.timezone ?? "UTC";
  if (spec.cron) return [{ kind: "cron" as const, cron: spec.cron, timezone: tz }];
  if (spec.interval) return [{ kind: "interval" as const, intervalSeconds: spec.interval, timezone: tz }];
  if (spec.rrule) return [{ kind: "rrule" as const, rrule: spec.rrule, timezone: tz }];
  return (spec.schedules ?? []).map((s) => {
    const common = { timezone: s.timezone ?? tz, parameters: s.parameters ?? {}, active: s.active ?? true };
    if ("cron" in s) return { kind: "cron" as const, cron: s.cron, ...common };
    if ("interval" in s) return { kind: "interval" as const, intervalSeconds: s.interval, anchor: s.anchor, ...common };
    return { kind: "rrule" as const, rrule: s.rrule, ...common };
  });
}

type ScheduleLike = { kind: string; cron?: string | null; intervalSeconds?: number | null; rrule?: string | null; timezone?: string };

export function describeSchedules(schedules: ScheduleLike[]): string {
  if (schedules.length === 0) return "no schedule (runs start with `baton run` or from the UI)";
  return schedules
    .map((s) => (s.kind === "cron" ? `cron "${s.cron}" (${s.timezone})` : s.kind === "interval" ? `every ${s.intervalSeconds} s` : `rrule ${s.rrule}`))
    .join(", ");
}
