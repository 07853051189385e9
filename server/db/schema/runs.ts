import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";
import { deployments, flows, schedules } from "./deployments";
import { agents, workPools } from "./work-pools";
import { workspaces } from "./workspaces";

import { STATE_TYPES } from "../../../agent/protocol/states";
import type { RunOrigin } from "../../../agent/protocol/runs";

export { STATE_TYPES };
const stateTypeCheck = (col: unknown) => sql`${col} in ('SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CRASHED', 'CANCELLING', 'CANCELLED', 'PAUSED')`;
// Task runs never pause (the protocol's taskStateSchema refuses it), so their tables keep the
// list without PAUSED: re-checking the largest tables of all for a state they cannot hold is not worth the lock.
const taskStateTypeCheck = (col: unknown) => sql`${col} in ('SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CRASHED', 'CANCELLING', 'CANCELLED')`;

export const flowRuns = pgTable(
  "flow_runs",
  {
    /** UUIDv7, so ids sort by creation. */
    id: uuid().primaryKey(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    flowId: uuid()
      .notNull()
      .references(() => flows.id, { onDelete: "cascade" }),
    deploymentId: uuid().references(() => deployments.id, { onDelete: "set null" }),
    scheduleId: uuid().references(() => schedules.id, { onDelete: "set null" }),
    workPoolId: uuid().references(() => workPools.id, { onDelete: "set null" }),
    name: text().notNull(),
    parameters: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    tags: text().array().notNull().default(sql`'{}'::text[]`),
    stateType: text({ enum: STATE_TYPES }).notNull(),
    stateName: text().notNull(),
    stateMessage: text(),
    stateTimestamp: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** When the run is due (its schedule slot, or when AwaitingRetry may start). */
    scheduledTime: timestamp({ withTimezone: true }).notNull(),
    /** The schedule slot this run fills; with scheduleId it is unique, so no slot runs twice. */
    slotTime: timestamp({ withTimezone: true }),
    priority: integer().notNull().default(0),
    startTime: timestamp({ withTimezone: true }),
    endTime: timestamp({ withTimezone: true }),
    claimedAt: timestamp({ withTimezone: true }),
    attempt: integer().notNull().default(0),
    /** Automatic retries used since the run was created or a person last retried it. */
    autoRetries: integer().notNull().default(0),
    agentId: uuid().references(() => agents.id, { onDelete: "set null" }),
    leaseToken: uuid(),
    leaseExpiresAt: timestamp({ withTimezone: true }),
    /**
     * No new attempt starts before this. Set when Baton ends an attempt whose process it cannot
     * see stop (its lease expired): the moment that process has certainly stopped itself
     * (docs/states.md, "Leases").
     */
    fenceUntil: timestamp({ withTimezone: true }),
    /** The lease of the attempt the reaper ended: that attempt's own late final report may still replace the verdict, until anything else happens to the run. */
    reapedLeaseToken: uuid(),
    idempotencyKey: text(),
    /** The commit of its deployment's git source the run runs: set by a re-run "with the same code", else by the agent of its first attempt once it resolved the ref. */
    sourceCommit: text(),
    createdBy: text(),
    /** The run whose flow started this one (`runDeployment` / `run_deployment`): its child. Cancelling the parent cancels it. */
    parentRunId: uuid().references((): AnyPgColumn => flowRuns.id, { onDelete: "set null" }),
    /** What started it when no person did: an automation (and the event), an incoming webhook (and its request). */
    origin: jsonb().$type<RunOrigin>(),
    /** The run whose event fired the automation that started this one: the chain, readable both ways. */
    triggeredByRunId: uuid(),
    autoScheduled: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("flow_runs_state_type", stateTypeCheck(t.stateType)),
    check("flow_runs_attempt", sql`${t.attempt} >= 0`),
    uniqueIndex("flow_runs_idempotency_key").on(t.workspaceId, t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
    uniqueIndex("flow_runs_schedule_slot_key").on(t.scheduleId, t.slotTime).where(sql`${t.scheduleId} is not null and ${t.slotTime} is not null`),
    // The claim query: due SCHEDULED runs of one pool, by priority then time.
    index("flow_runs_due_idx").on(t.workPoolId, t.priority, t.scheduledTime).where(sql`${t.stateType} = 'SCHEDULED'`),
    // A pool's next due time, read by every claim: one probe. On the UTC wall time, not on
    // scheduled_time, so the claim never picks it over the index above (see NEXT_DUE in
    // server/dispatch/claim-runs.ts).
    index("flow_runs_next_due_idx").on(t.workPoolId, sql`(${t.scheduledTime} at time zone 'UTC')`).where(sql`${t.stateType} = 'SCHEDULED'`),
    // The same per deployment, for deployments with a concurrency limit.
    index("flow_runs_deployment_due_idx").on(t.deploymentId, t.priority, t.scheduledTime).where(sql`${t.stateType} = 'SCHEDULED'`),
    // Runs holding a lease (PENDING, RUNNING, CANCELLING, PAUSED: LEASED_STATES), for concurrency counts and the reaper.
    index("flow_runs_active_idx").on(t.workPoolId, t.deploymentId).where(sql`${t.stateType} in ('PENDING', 'RUNNING', 'CANCELLING', 'PAUSED')`),
    // The late marker: runs still named Scheduled, by due time.
    index("flow_runs_late_idx").on(t.scheduledTime).where(sql`${t.stateType} = 'SCHEDULED' and ${t.stateName} = 'Scheduled'`),
    // The catch-up step (server/scheduling/skip-missed-runs.ts): never-claimed runs of a schedule, by due time.
    index("flow_runs_catch_up_idx").on(t.scheduledTime).where(sql`${t.stateType} = 'SCHEDULED' and ${t.stateName} in ('Scheduled', 'Late') and ${t.scheduleId} is not null and ${t.attempt} = 0`),
    index("flow_runs_lease_idx").on(t.leaseExpiresAt).where(sql`${t.stateType} in ('PENDING', 'RUNNING', 'CANCELLING', 'PAUSED')`),
    // Kept few on purpose: every state change writes a new row version into each index it matches.
    index("flow_runs_workspace_idx").on(t.workspaceId, t.id),
    index("flow_runs_deployment_idx").on(t.workspaceId, t.deploymentId, t.id),
    index("flow_runs_flow_idx").on(t.workspaceId, t.flowId, t.id),
    // The dashboard's runs-over-time chart: an index-only scan of a time range, state included.
    index("flow_runs_timeline_idx").on(t.workspaceId, sql`coalesce(${t.startTime}, ${t.scheduledTime})`, t.stateType),
    // The dashboard's failures (rare rows, so a small index).
    // A parent's children (also for the self-FK's set null), and the runs an automation started after a run's event: both rare, so partial.
    index("flow_runs_parent_idx").on(t.parentRunId).where(sql`${t.parentRunId} is not null`),
    // The services loop's cancel cascade: children still to run or running (a handful at any time).
    index("flow_runs_active_children_idx").on(t.parentRunId).where(sql`${t.parentRunId} is not null and ${t.stateType} in ('SCHEDULED', 'PENDING', 'RUNNING', 'PAUSED')`),
    index("flow_runs_triggered_by_idx").on(t.workspaceId, t.triggeredByRunId).where(sql`${t.triggeredByRunId} is not null`),
    index("flow_runs_failures_idx").on(t.workspaceId, t.endTime).where(sql`${t.stateType} in ('FAILED', 'CRASHED')`),
  ],
);

export const flowRunStates = pgTable(
  "flow_run_states",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    flowRunId: uuid()
      .notNull()
      .references(() => flowRuns.id, { onDelete: "cascade" }),
    type: text({ enum: STATE_TYPES }).notNull(),
    name: text().notNull(),
    message: text(),
    attempt: integer().notNull(),
    transitionId: uuid(),
    /**
     * The person (or "key:name") whose action made this state: creation, cancel, retry. Null for
     * agents, the SDK and Baton itself. A label, not a user FK: history rows are many, and
     * deleting a user must not scan them; the label keeps who it was after they are gone.
     */
    actorLabel: text(),
    timestamp: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("flow_run_states_type", stateTypeCheck(t.type)),
    index("flow_run_states_run_idx").on(t.flowRunId, t.id),
    uniqueIndex("flow_run_states_transition_key").on(t.flowRunId, t.transitionId).where(sql`${t.transitionId} is not null`),
  ],
);

export const taskRuns = pgTable(
  "task_runs",
  {
    id: uuid().primaryKey(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    flowRunId: uuid()
      .notNull()
      .references(() => flowRuns.id, { onDelete: "cascade" }),
    flowRunAttempt: integer().notNull(),
    taskKey: text().notNull(),
    dynamicKey: text().notNull(),
    name: text().notNull(),
    stateType: text({ enum: STATE_TYPES }).notNull(),
    stateName: text().notNull(),
    stateMessage: text(),
    stateTimestamp: timestamp({ withTimezone: true }).notNull().defaultNow(),
    cacheKey: text(),
    attempt: integer().notNull().default(1),
    upstreamTaskRunIds: uuid().array().notNull().default(sql`'{}'::uuid[]`),
    startTime: timestamp({ withTimezone: true }),
    endTime: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("task_runs_state_type", taskStateTypeCheck(t.stateType)),
    uniqueIndex("task_runs_identity_key").on(t.flowRunId, t.flowRunAttempt, t.taskKey, t.dynamicKey),
    index("task_runs_workspace_idx").on(t.workspaceId, t.flowRunId),
  ],
);

export const taskRunStates = pgTable(
  "task_run_states",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    taskRunId: uuid()
      .notNull()
      .references(() => taskRuns.id, { onDelete: "cascade" }),
    type: text({ enum: STATE_TYPES }).notNull(),
    name: text().notNull(),
    message: text(),
    transitionId: uuid(),
    timestamp: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("task_run_states_type", taskStateTypeCheck(t.type)),
    index("task_run_states_task_idx").on(t.taskRunId, t.id),
    uniqueIndex("task_run_states_transition_key").on(t.taskRunId, t.transitionId).where(sql`${t.transitionId} is not null`),
  ],
);

export const LOG_LEVELS = ["debug", "info", "warning", "error", "critical"] as const;

export const logs = pgTable(
  "logs",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    flowRunId: uuid()
      .notNull()
      .references(() => flowRuns.id, { onDelete: "cascade" }),
    taskRunId: uuid(),
    attempt: integer().notNull(),
    seq: integer().notNull(),
    level: text({ enum: LOG_LEVELS }).notNull(),
    timestamp: timestamp({ withTimezone: true }).notNull(),
    message: text().notNull(),
  },
  (t) => [
    uniqueIndex("logs_line_key").on(t.flowRunId, t.attempt, t.seq),
    index("logs_workspace_run_idx").on(t.workspaceId, t.flowRunId, t.id),
    index("logs_timestamp_idx").on(t.timestamp),
  ],
);

export const artifacts = pgTable(
  "artifacts",
  {
    id: uuid().primaryKey(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    flowRunId: uuid().references(() => flowRuns.id, { onDelete: "cascade" }),
    taskRunId: uuid(),
    key: text(),
    type: text({ enum: ["markdown", "table", "link"] }).notNull(),
    description: text(),
    data: jsonb().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("artifacts_type", sql`${t.type} in ('markdown', 'table', 'link')`),
    index("artifacts_run_idx").on(t.workspaceId, t.flowRunId),
    index("artifacts_key_idx").on(t.workspaceId, t.key, t.createdAt).where(sql`${t.key} is not null`),
  ],
);

export const cacheEntries = pgTable(
  "cache_entries",
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    key: text().notNull(),
    value: jsonb(),
    expiresAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("cache_entries_key").on(t.workspaceId, t.key), index("cache_entries_expiry_idx").on(t.expiresAt)],
);

export type FlowRun = typeof flowRuns.$inferSelect;
export type { StateType } from "../../../agent/protocol/states";
export type TaskRun = typeof taskRuns.$inferSelect;
