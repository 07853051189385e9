import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

export const EMAIL_STATUSES = ["queued", "sent", "failed", "kept"] as const;

/**
 * Every email Baton sends, as an outbox. With RESEND_API_KEY the mailer sends queued rows through
 * Resend (idempotency key = row id); without it rows are "kept" and shown at /dev/mailbox.
 */
export const emailMessages = pgTable(
  "email_messages",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid().references(() => workspaces.id, { onDelete: "cascade" }),
    template: text().notNull(),
    to: text().notNull(),
    subject: text().notNull(),
    html: text().notNull(),
    text: text().notNull(),
    status: text({ enum: EMAIL_STATUSES }).notNull(),
    attempts: integer().notNull().default(0),
    lastError: text(),
    providerId: text(),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("email_messages_due_idx").on(t.status, t.nextAttemptAt),
    index("email_messages_created_idx").on(t.createdAt),
    check("email_messages_status", sql`${t.status} in ('queued', 'sent', 'failed', 'kept')`),
  ],
);

export type EmailMessage = typeof emailMessages.$inferSelect;
