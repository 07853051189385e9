import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/server/db/client";
import { emailMessages, type EmailMessage } from "@/server/db/schema";
import type { MailboxScope } from "./mailbox-access";

export type MailboxEntry = Pick<EmailMessage, "id" | "to" | "subject" | "status" | "template" | "createdAt">;

/** Newest first, within `scope`. `before` is the id of the last message on the previous page. */
export async function listMailbox(
  db: Db,
  scope: MailboxScope,
  { before, limit = 50 }: { before?: string; limit?: number } = {},
): Promise<{ messages: MailboxEntry[]; nextCursor: string | null }> {
  if (scope.kind === "none") return { messages: [], nextCursor: null };
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
      and(
        inScope(scope),
        before
          ? // Compare in Postgres: its timestamps have microseconds, a JS Date only milliseconds.
            sql`(${emailMessages.createdAt}, ${emailMessages.id}) < (select created_at, id from email_messages where id = ${before})`
          : undefined,
      ),
    )
    .orderBy(desc(emailMessages.createdAt), desc(emailMessages.id))
    .limit(limit + 1);
  const messages = rows.slice(0, limit);
  return { messages, nextCursor: rows.length > limit ? messages[messages.length - 1].id : null };
}

/** One message, or null when it does not exist or is outside `scope` (the same answer: no probing). */
export async function getMailboxMessage(db: Db, scope: MailboxScope, id: string): Promise<EmailMessage | null> {
  if (scope.kind === "none") return null;
  const [row] = await db.select().from(emailMessages).where(and(eq(emailMessages.id, id), inScope(scope)));
  return row ?? null;
}

function inScope(scope: MailboxScope): SQL | undefined {
  return scope.kind === "to" ? sql`lower(${emailMessages.to}) = ${scope.email.toLowerCase()}` : undefined;
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
