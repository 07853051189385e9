import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { flowRuns } from "./runs";
import { workspaces } from "./workspaces";

/**
 * One pause of a run attempt for a person's input (pauseForInput / pause_flow_run): what the flow
 * asked (the JSON Schema of the input, a message) and until when, and once answered, the input,
 * who gave it and when. The run's state says whether it is paused; this row says what for.
 */
export const flowRunPauses = pgTable(
  "flow_run_pauses",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    flowRunId: uuid()
      .notNull()
      .references(() => flowRuns.id, { onDelete: "cascade" }),
    attempt: integer().notNull(),
    /** The SDK's transition id of the PAUSED proposal: a retried pause call finds its row again. */
    transitionId: uuid().notNull(),
    schema: jsonb().$type<Record<string, unknown>>().notNull(),
    message: text(),
    timeoutAt: timestamp({ withTimezone: true }).notNull(),
    input: jsonb().$type<Record<string, unknown>>(),
    /** The person (or "key:name") who answered: a label, like flow_run_states.actor_label. */
    submittedBy: text(),
    submittedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("flow_run_pauses_transition_key").on(t.flowRunId, t.transitionId),
    index("flow_run_pauses_run_idx").on(t.flowRunId, t.createdAt),
    // The sweep: unanswered pauses by deadline (few rows).
    index("flow_run_pauses_open_idx").on(t.timeoutAt).where(sql`${t.submittedAt} is null`),
  ],
);

export type FlowRunPause = typeof flowRunPauses.$inferSelect;
