import { desc, eq, sql } from "drizzle-orm";
import type { Db } from "@/server/db/client";
import { emailMessages, type EmailMessage } from "@/server/db/schema";

export type MailboxEntry = Pick<EmailMessage, "id" | "to" | "subject" | "status" | "template" | "createdAt">;

/** Newest first. `before` is the id of the last message on the previous page. */
export async function listMailbox(
  db: Db,
  { before, limit = 50 }: { before?: string; limit?: number } = {},
): Promise<{ messages: MailboxEntry[]; nextCursor: string | null }> {
  const rows = await db
    .select({
      id: emailMessages.id,
      to: emailMessages.to,
      subject: emailMessages.subject,
      status: emailMessages.status,
      template: emailMessages.template,
      createdAt: emailMessages.createdAt,
    })
    .from(emailMessages)
    .where(
      before
        ? // Compare in Postgres: its timestamps have microseconds, a JS Date only milliseconds.
          sql`(${emailMessages.createdAt}, ${emailMessages.id}) < (select created_at, id from email_messages where id = ${before})`
        : undefined,
    )
    .orderBy(desc(emailMessages.createdAt), desc(emailMessages.id))
    .limit(limit + 1);
  const messages = rows.slice(0, limit);
  return { messages, nextCursor: rows.length > limit ? messages[messages.length - 1].id : null };
}

export async function getMailboxMessage(db: Db, id: string): Promise<EmailMessage | null> {
  const [row] = await db.select().from(emailMessages).where(eq(emailMessages.id, id));
  return row ?? null;
}

const ENTITIES: Record<string, string> = { amp: "&", quot: '"', apos: "'", lt: "<", gt: ">" };

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] !== "#") return ENTITIES[code.toLowerCase()] ?? whole;
    const n = code[1] === "x" || code[1] === "X" ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
    return Number.isFinite(n) ? String.fromCodePoint(n) : whole;
  });
}

/** Every distinct http(s) or mailto link in the HTML, in order of appearance. */
export function linksInHtml(html: string): string[] {
  const links = new Set<string>();
  for (const match of html.matchAll(/\shref\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)) {
    const url = decodeEntities(match[1] ?? match[2]).trim();
    if (/^(https?:|mailto:)/i.test(url)) links.add(url);
  }
  return [...links];
}
