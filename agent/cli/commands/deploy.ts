import fs from "node:fs";
import path from "node:path";
import type { Deployment, DeploymentUpsert } from "../../protocol/deployments";
import { toWireRetryDelay, type RetryDelay } from "../../sdk/retry-policy";
import { parse, parseParams, positiveInt } from "../args";
import { connect } from "../connect";
import { readBatonYaml, type BatonYaml } from "../deploy/baton-yaml";
import { setLimit } from "./concurrency";
import { deploymentSpecSchema, describeSchedules, schedulesOf, triggersOf, type DeploymentSpec } from "../deploy/deployment-spec";
import { loadFlow } from "../../sdk/load-flow";
import { isPythonEntrypoint } from "../../protocol/deployments";
import { describePythonFlow } from "../deploy/describe-python-flow";
import { describeSource, setupOf, sourceOf } from "../deploy/source-spec";
import { CliError } from "../errors";
import { print, printJson } from "../output";

const USAGE = `baton deploy [path/file.ts:flowName | path/file.py:function [--python INTERPRETER] | --command "…"] --name NAME [--flow FLOW] [--pool POOL]
       [--cron EXPR [--timezone TZ] | --interval SECONDS | --rrule RULE] [--param k=v …] [--retries N]
       [--retry-delay S[,S…]] [--timeout S] [--tag T …] [--concurrency N] [--description TEXT]
       [--catchup all|latest|none] [--max-lateness S] [--env K=V …]
       [--workdir DIR | --git URL [--ref REF] [--git-path DIR] [--credentials "{{ secrets.NAME }}"] | --from-git]
       [--setup "COMMAND" [--setup-cache-key FILE …]] [--json]
   or: baton deploy [--file baton.yaml] [--from-git] [--json]     (every deployment and concurrency limit in the file)`;

const FLAGS = {
  name: { type: "string" },
  command: { type: "string" },
  python: { type: "string" },
  flow: { type: "string" },
  pool: { type: "string" },
  cron: { type: "string" },
  timezone: { type: "string" },
  interval: { type: "string" },
  rrule: { type: "string" },
  param: { type: "string", multiple: true },
  retries: { type: "string" },
  "retry-delay": { type: "string" },
  timeout: { type: "string" },
  tag: { type: "string", multiple: true },
  concurrency: { type: "string" },
  description: { type: "string" },
  catchup: { type: "string" },
  "max-lateness": { type: "string" },
  workdir: { type: "string" },
  git: { type: "string" },
  ref: { type: "string" },
  "git-path": { type: "string" },
  credentials: { type: "string" },
  "from-git": { type: "boolean" },
  setup: { type: "string" },
  "setup-cache-key": { type: "string", multiple: true },
  env: { type: "string", multiple: true },
  file: { type: "string", short: "f" },
  json: { type: "boolean" },
} as const;

/**
 * `baton deploy`: registers deployments from flags or a baton.yaml. For a TypeScript flow the
 * flow's own name, description, retries, timeout, tags and the JSON Schema of its zod parameters
 * are read from the code; flags and baton.yaml override them. Idempotent: deploying the same
 * thing again changes nothing and says so. The schedules deployed replace the existing ones.
 */
export async function deploy(argv: string[]) {
  const { values, positionals } = parse(argv, FLAGS, USAGE);
  const fromFlags = positionals.length > 0 || values.command !== undefined || values.name !== undefined;
  let specs: DeploymentSpec[];
  let limits: BatonYaml["concurrency"] = [];
  let baseDir = process.cwd();
  if (fromFlags) {
    if (values.file) throw new CliError("Give either --file or a deployment's flags, not both.", 2);
    specs = [specFromFlags(values, positionals)];
  } else {
    const file = path.resolve((values.file as string | undefined) ?? "baton.yaml");
    if (!fs.existsSync(file)) {
      throw new CliError(`Nothing to deploy: no ${path.basename(file)} in ${path.dirname(file)}.\n\nUsage: ${USAGE}`, 2);
    }
    ({ deployments: specs, concurrency: limits } = readBatonYaml(file));
    baseDir = path.dirname(file);
  }

  const { client } = connect();
  // Build every request first: a broken flow file stops the deploy before anything changed.
  const bodies = [];
  for (const spec of specs) bodies.push(await toUpsert(spec, baseDir, { fromGit: Boolean(values["from-git"]), fromFile: !fromFlags }));
  // Limits first: runs the new deployments create wait for them from the start. A limit not in
  // the file is left alone (it may be set by hand or by another project's baton.yaml).
  const limitResults = [];
  for (const l of limits) {
    const set = await setLimit(client, l.tag, l.limit);
    limitResults.push(set);
    if (!values.json) print(`Concurrency limit: tag "${set.tag}" at most ${set.limit} at once (${set.taken} running now)`);
  }
  const results = [];
  for (const body of bodies) {
    const res = await client.request<{ deployment: Deployment; created: boolean; changed: string[] }>("PUT", "/deployments", { body });
    results.push(res);
    if (!values.json) {
      const d = res.deployment;
      const what = res.created ? "Created" : res.changed.length > 0 ? `Updated (${res.changed.join(", ")})` : "Unchanged";
      const catchUp = `catch-up ${d.catchUp}${d.maxLatenessSeconds === null ? "" : `, max lateness ${d.maxLatenessSeconds} s`}`;
      print(`${what}: ${d.flowName}/${d.name} (${d.id}) in pool "${d.workPool}", ${describeSchedules(body.schedules ?? [])}; ${catchUp}; code: ${describeSource(d.source)}`);
      for (const t of body.triggers ?? []) print(`  Trigger: runs after ${t.after} ${(t.on ?? ["Completed"]).join(" or ")}${t.enabled === false ? " (disabled)" : ""}`);
    }
  }
  if (values.json) printJson(limits.length > 0 ? { deployments: results, concurrencyLimits: limitResults } : results);
}

type FlagValues = ReturnType<typeof parse<typeof FLAGS>>["values"];

function specFromFlags(values: FlagValues, positionals: string[]): DeploymentSpec {
  if (positionals.length > 1) throw new CliError(`One entrypoint per deploy (got ${positionals.join(" ")}). Use a baton.yaml for several.`, 2);
  const delay = values["retry-delay"] as string | undefined;
  const retryDelay = delay === undefined ? undefined : delay.includes(",") ? delay.split(",").map(Number) : Number(delay);
  const raw = {
    name: values.name,
    entrypoint: positionals[0],
    command: values.command,
    python: values.python,
    flow: values.flow,
    pool: values.pool,
    cron: values.cron,
    timezone: values.timezone,
    interval: positiveInt("--interval", values.interval as string | undefined),
    rrule: values.rrule,
    parameters: values.param ? parseParams(values.param as string[]) : undefined,
    retries: positiveInt("--retries", values.retries as string | undefined, 0),
    retryDelay,
    timeout: positiveInt("--timeout", values.timeout as string | undefined),
    tags: values.tag as string[] | undefined,
    concurrency: positiveInt("--concurrency", values.concurrency as string | undefined, 0),
    description: values.description,
    catchup: values.catchup,
    maxLateness: values["max-lateness"] === undefined ? undefined : Number(values["max-lateness"]),
    workdir: values.workdir,
    source: values.git === undefined ? undefined : { git: values.git, ref: values.ref, path: values["git-path"], credentials: values.credentials },
    setup: values.setup === undefined ? undefined : { run: values.setup, cacheKey: values["setup-cache-key"] as string[] | undefined },
    env: values.env ? parseEnvFlags(values.env as string[]) : undefined,
  };
  if (values.git === undefined && (values.ref || values["git-path"] || values.credentials)) throw new CliError(`--ref, --git-path and --credentials go with --git URL.\n\nUsage: ${USAGE}`, 2);
  if (values.setup === undefined && values["setup-cache-key"]) throw new CliError(`--setup-cache-key goes with --setup "COMMAND".\n\nUsage: ${USAGE}`, 2);
  const parsed = deploymentSpecSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!parsed.success) {
    const flag = (p: PropertyKey[]) => `--${String(p[0] ?? "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new CliError(`${parsed.error.issues.map((i) => `${flag(i.path)}: ${i.message}`).join("\n")}\n\nUsage: ${USAGE}`, 2);
  }
  return parsed.data;
}

/** `--env K=V`, each taken as text (`--env TOKEN='{{ secrets.api-token }}'` for a reference). */
function parseEnvFlags(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CliError(`--env ${pair}: use NAME=value, e.g. --env MODE=prod or --env TOKEN='{{ secrets.api-token }}'`, 2);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

type Upsert = DeploymentUpsert & { schedules: ReturnType<typeof schedulesOf> };

async function toUpsert(spec: DeploymentSpec, baseDir: string, opts: { fromGit: boolean; fromFile: boolean }): Promise<Upsert> {
  const source = sourceOf(spec, baseDir, opts);
  // The code is read from this machine's files: the working directory's (the workdir, or the checkout's folder).
  if (spec.workdir) baseDir = path.resolve(baseDir, spec.workdir);
  const common = {
    source,
    setup: setupOf(spec),
    name: spec.name,
    workPool: spec.pool ?? "default",
    parameters: spec.parameters ?? {},
    concurrencyLimit: spec.concurrency,
    paused: spec.paused,
    // Like the schedules, the file is the truth: left out means the default (latest, no limit).
    catchUp: spec.catchup ?? "latest",
    maxLatenessSeconds: spec.maxLateness ?? null,
    env: spec.env ?? {},
    secrets: spec.secrets ?? [],
    schedules: schedulesOf(spec),
    // Flags leave a deployment's triggers alone; a baton.yaml is their truth, like its schedules.
    ...(opts.fromFile ? { triggers: triggersOf(spec) } : {}),
  };
  if (spec.command) {
    return {
      ...common,
      kind: "command",
      flowName: spec.flow ?? spec.name,
      command: spec.command,
      description: spec.description,
      tags: spec.tags ?? [],
      retries: spec.retries ?? 0,
      retryDelay: toWireRetryDelay(spec.retryDelay) ?? { kind: "fixed", seconds: 0 },
      timeoutSeconds: spec.timeout,
      parameterSchema: spec.parameterSchema,
    };
  }
  if (isPythonEntrypoint(spec.entrypoint)) return pythonUpsert(spec, common, baseDir);
  const f = await loadFlow(spec.entrypoint!, baseDir).catch((err: Error) => {
    throw new CliError(err.message);
  });
  if (spec.flow && spec.flow !== f.flowName) throw new CliError(`${spec.entrypoint} is flow "${f.flowName}", not "${spec.flow}". Drop \`flow\` for TypeScript entrypoints.`, 2);
  const o = f.options;
  return {
    ...common,
    kind: "flow",
    flowName: f.flowName,
    entrypoint: spec.entrypoint,
    description: spec.description ?? o.description,
    parameterSchema: f.parameterJsonSchema(),
    tags: spec.tags ?? o.tags ?? [],
    retries: spec.retries ?? o.retries ?? 0,
    retryDelay: toWireRetryDelay((spec.retryDelay ?? o.retryDelay) as RetryDelay | undefined) ?? { kind: "fixed", seconds: 0 },
    timeoutSeconds: spec.timeout ?? o.timeoutSeconds,
  };
}

/** A Python flow: what the code says (asked of the deployment's own interpreter), overridden by flags and baton.yaml as for TypeScript. */
function pythonUpsert(spec: DeploymentSpec, common: Omit<Upsert, "kind" | "flowName">, baseDir: string): Upsert {
  const f = describePythonFlow(spec.entrypoint!, spec.python, baseDir);
  if (spec.flow && spec.flow !== f.name) throw new CliError(`${spec.entrypoint} is flow "${f.name}", not "${spec.flow}". Drop \`flow\` for Python entrypoints (or set @flow(name=...)).`, 2);
  return {
    ...common,
    kind: "flow",
    flowName: f.name,
    entrypoint: spec.entrypoint,
    python: spec.python,
    description: spec.description ?? f.description ?? undefined,
    parameterSchema: f.parameterSchema,
    tags: spec.tags ?? f.tags,
    retries: spec.retries ?? f.retries,
    retryDelay: toWireRetryDelay(spec.retryDelay) ?? f.retryDelay ?? { kind: "fixed", seconds: 0 },
    timeoutSeconds: spec.timeout ?? (f.timeoutSeconds ? Math.ceil(f.timeoutSeconds) : undefined),
  };
}
