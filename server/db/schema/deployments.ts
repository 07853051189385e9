import { sql } from "drizzle-orm";
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { CATCH_UP_POLICIES, type DeploymentSource, type RetryDelay, type SetupStep } from "../../../agent/protocol/deployments";
import { workPools } from "./work-pools";
import { workspaces } from "./workspaces";

export const flows = pgTable(
  "flows",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("flows_workspace_name_key").on(t.workspaceId, t.name)],
);

export const deployments = pgTable(
  "deployments",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    flowId: uuid()
      .notNull()
      .references(() => flows.id, { onDelete: "cascade" }),
    name: text().notNull(),
    description: text(),
    kind: text({ enum: ["flow", "command"] }).notNull(),
    entrypoint: text(),
    command: text(),
    /** A Python flow's interpreter (`.venv/bin/python`, a conda env's python); null: the agent's `--python` (docs/python.md). */
    python: text(),
    /** Where the code is (agent/protocol/deployments.ts deploymentSourceSchema); null: the agent's --workdir. */
    source: jsonb().$type<DeploymentSource>(),
    /** The host of a local source, kept apart so the claim filters on a plain column. */
    sourceHost: text(),
    setup: jsonb().$type<SetupStep>(),
    workPoolId: uuid()
      .notNull()
      .references(() => workPools.id, { onDelete: "restrict" }),
    parameters: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    parameterSchema: jsonb().$type<Record<string, unknown>>(),
    tags: text().array().notNull().default(sql`'{}'::text[]`),
    retries: integer().notNull().default(0),
    retryDelay: jsonb().$type<RetryDelay>().notNull().default({ kind: "fixed", seconds: 0 }),
    timeoutSeconds: integer(),
    concurrencyLimit: integer(),
    paused: boolean().notNull().default(false),
    /** What happens to scheduled runs that missed their time (docs/scheduling.md#catch-up). */
    catchUp: text({ enum: CATCH_UP_POLICIES }).notNull().default("latest"),
    /** A scheduled run not started this long after its scheduled time is skipped; null = no limit. */
    maxLatenessSeconds: integer(),
    /** Environment of its runs: literals and `{{ secrets.X }}` / `{{ variables.X }}` references, resolved at claim time. */
    env: jsonb().$type<Record<string, string>>().notNull().default({}),
    /** Secrets its runs may read from code besides those env references (`secrets:` in baton.yaml). */
    declaredSecrets: text().array().notNull().default(sql`'{}'::text[]`),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("deployments_workspace_flow_name_key").on(t.workspaceId, t.flowId, t.name),
    index("deployments_pool_idx").on(t.workspaceId, t.workPoolId),
    check("deployments_kind", sql`(${t.kind} = 'flow' and ${t.entrypoint} is not null) or (${t.kind} = 'command' and ${t.command} is not null)`),
    check("deployments_retries", sql`${t.retries} >= 0`),
    check("deployments_concurrency_limit", sql`${t.concurrencyLimit} is null or ${t.concurrencyLimit} >= 0`),
    check("deployments_catch_up", sql`${t.catchUp} in ('all', 'latest', 'none')`),
    check("deployments_max_lateness", sql`${t.maxLatenessSeconds} is null or ${t.maxLatenessSeconds} > 0`),
  ],
);

export const schedules = pgTable(
  "schedules",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    deploymentId: uuid()
      .notNull()
      .references(() => deployments.id, { onDelete: "cascade" }),
    kind: text({ enum: ["cron", "interval", "rrule"] }).notNull(),
    cron: text(),
    intervalSeconds: integer(),
    anchor: timestamp({ withTimezone: true }),
    rrule: text(),
    timezone: text().notNull().default("UTC"),
    active: boolean().notNull().default(true),
    parameters: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** The newest slot the scheduler has created runs up to; it continues from here. */
    filledUntil: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("schedules_deployment_idx").on(t.workspaceId, t.deploymentId),
    index("schedules_active_idx").on(t.active, t.filledUntil),
    check(
      "schedules_kind",
      sql`(${t.kind} = 'cron' and ${t.cron} is not null) or (${t.kind} = 'interval' and ${t.intervalSeconds} > 0) or (${t.kind} = 'rrule' and ${t.rrule} is not null)`,
    ),
  ],
);

export type Flow = typeof flows.$inferSelect;
export type Deployment = typeof deployments.$inferSelect;
export type Schedule = typeof schedules.$inferSelect;
