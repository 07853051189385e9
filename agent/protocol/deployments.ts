import { z } from "zod";
import { configNameSchema, envSchema } from "./secrets";
import { isoTimestampSchema } from "./storable";
import { ALERT_RUN_EVENTS } from "./automations";

export const retryDelaySchema = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("fixed"), seconds: z.number().min(0).max(86_400) }),
    z.object({ kind: z.literal("list"), seconds: z.array(z.number().min(0).max(86_400)).min(1).max(50) }),
    z.object({
      kind: z.literal("exponential"),
      baseSeconds: z.number().min(0).max(86_400),
      maxSeconds: z.number().min(0).max(7 * 86_400).optional(),
      jitter: z.number().min(0).max(1).default(0.2).meta({ description: "Fraction of the delay added or removed at random" }),
    }),
  ])
  .meta({ id: "RetryDelay", description: "Seconds between attempts: fixed, a list per retry, or exponential backoff with jitter" });

export type RetryDelay = z.infer<typeof retryDelaySchema>;

/** What happens to a schedule's runs that missed their time, e.g. while no agent was online (docs/scheduling.md#catch-up). */
export const CATCH_UP_POLICIES = ["all", "latest", "none"] as const;
export type CatchUpPolicy = (typeof CATCH_UP_POLICIES)[number];
export const MAX_LATENESS_LIMIT_SECONDS = 366 * 86_400;

export const catchUpSchema = z
  .enum(CATCH_UP_POLICIES, { error: (i) => `${JSON.stringify(i.input)} is not a catch-up policy; use all, latest or none` })
  .meta({ id: "CatchUpPolicy", description: "all: every missed run runs; latest (default): only the newest missed run of each schedule; none: a run that became Late is skipped" });

export const maxLatenessSchema = z
  .number({ error: "must be a number of seconds" })
  .int("must be a whole number of seconds")
  .min(1, "must be at least 1 second (leave it out for no limit)")
  .max(MAX_LATENESS_LIMIT_SECONDS, "must be at most 366 days");

/** A flow entrypoint in a Python file (`flows/train.py:main_flow`): run by `python -m baton.run`, described by `python -m baton.describe`. */
export function isPythonEntrypoint(entrypoint: string | null | undefined): boolean {
  return Boolean(entrypoint && /\.py:[^:]+$/.test(entrypoint));
}

/**
 * Where a deployment's code is (docs/cli.md#where-the-code-comes-from): a folder on one machine
 * (what `baton deploy` records by default: only agents on that host claim its runs), or a git
 * repository the agent checks out at an exact commit. `credentials` names a secret holding a token
 * for https URLs (`{{ secrets.github-token }}`).
 */
export const deploymentSourceSchema = z
  .discriminatedUnion("kind", [
    z.object({
      kind: z.literal("local"),
      path: z.string().min(1).max(4096).refine((p) => p.startsWith("/"), "must be an absolute path"),
      host: z.string().trim().min(1).max(255).meta({ description: "The hostname of the machine the folder is on; only agents there claim the runs" }),
    }),
    z.object({
      kind: z.literal("git"),
      url: z.string().trim().min(1).max(2000).meta({ description: "https://, ssh://, git@host:path or file:// URL of the repository" }),
      ref: z.string().trim().min(1).max(255).default("main").meta({ description: "A branch (its newest commit when each run is claimed), a tag, or a 40-hex commit" }),
      path: z.string().trim().max(1000).nullable().optional().meta({ description: "The folder inside the repository the run works in" }),
      credentials: z
        .string()
        .trim()
        .regex(/^\{\{\s*secrets\.[a-z0-9_-]{1,64}\s*\}\}$/, "use {{ secrets.NAME }}: a token is never stored in the deployment itself")
        .nullable()
        .optional(),
    }),
  ])
  .meta({ id: "DeploymentSource" });
export type DeploymentSource = z.infer<typeof deploymentSourceSchema>;

/** Where the code is, as `baton deploy` and the deployment page say it. */
export function describeSource(source: DeploymentSource | null): string {
  if (!source) return "the agent's --workdir";
  if (source.kind === "local") return `${source.path} on ${source.host}`;
  return `${source.url} at ${source.ref}${source.path ? `, folder ${source.path}` : ""}`;
}

/** A command run in the run's working directory before the entrypoint, skipped when it already succeeded there with the same cache key. */
export const setupStepSchema = z
  .object({
    run: z.string().trim().min(1).max(10_000),
    cacheKey: z.array(z.string().trim().min(1).max(1000)).max(20).default([]).meta({ description: "Files whose contents (with `run`) decide whether the setup must run again" }),
  })
  .meta({ id: "SetupStep" });
export type SetupStep = z.infer<typeof setupStepSchema>;

/** A commit as git names it in full. */
export const commitShaSchema = z.string().regex(/^[0-9a-f]{40}$/, "a full 40-character commit hash");

const parameters = z.record(z.string(), z.unknown());
const name = z.string().trim().min(1).max(200);

export const scheduleInputSchema = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("cron"), cron: z.string().min(1).max(200), timezone: z.string().default("UTC") }),
    z.object({
      kind: z.literal("interval"),
      intervalSeconds: z.number().int().min(1).max(366 * 86_400),
      anchor: isoTimestampSchema.optional(),
      timezone: z.string().default("UTC"),
    }),
    z.object({ kind: z.literal("rrule"), rrule: z.string().min(1).max(2000), timezone: z.string().default("UTC") }),
  ])
  .and(z.object({ active: z.boolean().default(true), parameters: parameters.default({}) }))
  .meta({ id: "ScheduleInput" });

export type ScheduleInput = z.input<typeof scheduleInputSchema>;

export const scheduleSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(["cron", "interval", "rrule"]),
    cron: z.string().nullable(),
    intervalSeconds: z.number().nullable(),
    anchor: z.string().nullable(),
    rrule: z.string().nullable(),
    timezone: z.string(),
    active: z.boolean(),
    parameters,
  })
  .meta({ id: "Schedule" });

/**
 * `triggers:` of a deployment in baton.yaml (as Prefect's prefect.yaml has): "run me after that
 * deployment's run completes", with parameters from a template over that run. Each becomes an
 * automation managed by this deployment (the next deploy replaces them; see docs/automations.md).
 */
export const deploymentTriggerSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional().meta({ description: "Default: “Run flow/deployment after upstream/deployment Completed”" }),
    after: z.string().trim().regex(/^[^/]+\/[^/]+$/, "Name the upstream deployment as flow/deployment, e.g. ingest/daily").meta({ description: "The deployment whose runs fire it" }),
    on: z.array(z.enum(ALERT_RUN_EVENTS)).min(1).max(ALERT_RUN_EVENTS.length).default(["Completed"]),
    parameters: z.record(z.string(), z.unknown()).default({}).meta({ description: 'A template over the upstream run, e.g. { "date": "{{ run.parameters.date }}" }' }),
    enabled: z.boolean().default(true),
  })
  .meta({ id: "DeploymentTrigger" });
export type DeploymentTrigger = z.output<typeof deploymentTriggerSchema>;

export const deploymentUpsertSchema = z
  .object({
    flowName: name,
    name,
    description: z.string().max(2000).optional(),
    kind: z.enum(["flow", "command"]),
    entrypoint: z.string().regex(/^[^:]+:[A-Za-z_$][\w$]*$/, "Use path/file.ts:exportName").optional(),
    command: z.string().min(1).max(10_000).optional(),
    python: z
      .string()
      .trim()
      .min(1)
      .max(1000)
      .optional()
      .meta({ description: "A Python flow's interpreter: a path (relative to the run's working directory) or a command on the agent's PATH; omit for the agent's --python (default python3)" }),
    workPool: z.string().min(1).max(100).default("default"),
    source: deploymentSourceSchema.nullable().optional().meta({ description: "Where the code is; omitted or null: the agent's --workdir" }),
    setup: setupStepSchema.nullable().optional(),
    parameters: parameters.default({}),
    parameterSchema: z.record(z.string(), z.unknown()).optional().meta({ description: "JSON Schema the run parameters must satisfy" }),
    tags: z.array(z.string().min(1).max(100)).max(50).default([]),
    retries: z.number().int().min(0).max(100).default(0),
    retryDelay: retryDelaySchema.default({ kind: "fixed", seconds: 0 }),
    timeoutSeconds: z.number().int().min(1).max(30 * 86_400).optional(),
    concurrencyLimit: z.number().int().min(0).max(10_000).optional(),
    paused: z.boolean().optional().meta({ description: "Omit to keep the current state (a new deployment starts unpaused)" }),
    catchUp: catchUpSchema.default("latest"),
    maxLatenessSeconds: maxLatenessSchema.nullable().optional().meta({ description: "A scheduled run not started this many seconds after its scheduled time is skipped; omit or null for no limit" }),
    schedules: z.array(scheduleInputSchema).max(20).optional().meta({ description: "When given, replaces the deployment's schedules" }),
    env: envSchema.default({}),
    secrets: z.array(configNameSchema).max(100).default([]).meta({ description: "Secrets its runs may read from code (secrets.get) besides those its env references" }),
    triggers: z.array(deploymentTriggerSchema).max(20).optional().meta({ description: "When given, replaces the automations this deployment's triggers made (an empty list removes them)" }),
  })
  .refine((d) => (d.kind === "flow" ? Boolean(d.entrypoint) : Boolean(d.command)), {
    message: "A flow deployment needs an entrypoint (path/file.ts:exportName); a command deployment needs a command.",
    path: ["kind"],
  })
  .refine((d) => d.python === undefined || isPythonEntrypoint(d.entrypoint), {
    message: "python (the interpreter) is for Python flows only: give an entrypoint path/file.py:function, or leave python out.",
    path: ["python"],
  })
  .meta({ id: "DeploymentUpsert" });

export type DeploymentUpsert = z.input<typeof deploymentUpsertSchema>;

export const deploymentSchema = z
  .object({
    id: z.uuid(),
    flowId: z.uuid(),
    flowName: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    kind: z.enum(["flow", "command"]),
    entrypoint: z.string().nullable(),
    command: z.string().nullable(),
    python: z.string().nullable(),
    source: deploymentSourceSchema.nullable(),
    setup: setupStepSchema.nullable(),
    workPool: z.string(),
    parameters,
    parameterSchema: z.record(z.string(), z.unknown()).nullable(),
    tags: z.array(z.string()),
    retries: z.number(),
    retryDelay: retryDelaySchema,
    timeoutSeconds: z.number().nullable(),
    concurrencyLimit: z.number().nullable(),
    paused: z.boolean(),
    catchUp: catchUpSchema,
    maxLatenessSeconds: z.number().nullable(),
    schedules: z.array(scheduleSchema),
    env: z.record(z.string(), z.string()),
    secrets: z.array(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Deployment" });

export type Deployment = z.infer<typeof deploymentSchema>;

export const upsertResultSchema = z.object({ deployment: deploymentSchema, created: z.boolean(), changed: z.array(z.string()) }).meta({ id: "DeploymentUpsertResult" });
