import { timestamp, pgTable, text, integer, uuid } from "drizzle-orm/pg-core";

/**
 * Each running app instance that serves /api/v1, and since when it has been able to hear agents
 * (up, with its database reachable). The lease reaper reads it: time the server could not hear
 * heartbeats never counts against an agent (server/orchestration/hearing.ts).
 */
export const serverInstances = pgTable("server_instances", {
  id: uuid().primaryKey(),
  hostname: text().notNull(),
  pid: integer().notNull(),
  startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  /** The start of the instance's current unbroken stretch of hearing. */
  hearingSince: timestamp({ withTimezone: true }).notNull().defaultNow(),
  seenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
