import Link from "next/link";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/server/db/client";
import { currentUser } from "@/server/auth/current-user";
import { getMailboxMessage, linksInHtml } from "@/server/email/mailbox";
import { mailboxScope } from "@/server/email/mailbox-access";
import { devMailboxEnabled, env } from "@/server/env";
import { RelativeTime } from "@/app/_components/relative-time";
import { EmailStatusBadge } from "../status-badge";

export const dynamic = "force-dynamic";

/** Links in the preview open in a new tab instead of inside the sandboxed frame. */
function withBaseTarget(html: string): string {
  return /<head[^>]*>/i.test(html)
    ? html.replace(/<head([^>]*)>/i, '<head$1><base target="_blank">')
    : `<base target="_blank">${html}`;
}

export default async function DevMailboxMessagePage({ params }: { params: Promise<{ id: string }> }) {
  if (!devMailboxEnabled()) notFound();
  const id = z.uuid().safeParse((await params).id);
  if (!id.success) notFound();
  const message = await getMailboxMessage(getDb(), mailboxScope(await headers(), await currentUser()), id.data);
  if (!message) notFound();
  const links = linksInHtml(message.html);

  return (
    <main className="mx-auto max-w-5xl px-6 py-8">
      <p className="text-sm">
        <Link href="/dev/mailbox" className="text-blue-700 hover:underline">
          ← Dev mailbox
        </Link>
      </p>
      <h1 className="mt-2 text-xl font-semibold text-slate-900">{message.subject}</h1>

      <dl className="mt-4 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-slate-500">To</dt>
        <dd className="text-slate-900">{message.to}</dd>
        <dt className="text-slate-500">From</dt>
        <dd className="text-slate-900">{env().EMAIL_FROM}</dd>
        <dt className="text-slate-500">Created</dt>
        <dd className="text-slate-900">
          <RelativeTime value={message.createdAt.toISOString()} />
        </dd>
        <dt className="text-slate-500">Status</dt>
        <dd>
          <EmailStatusBadge status={message.status} />
          {message.lastError && <span className="ml-2 text-red-700">{message.lastError}</span>}
        </dd>
        <dt className="text-slate-500">Template</dt>
        <dd className="font-mono text-slate-700">{message.template}</dd>
      </dl>

      <section aria-labelledby="links-heading" className="mt-6">
        <h2 id="links-heading" className="text-sm font-semibold text-slate-900">
          Links in this message
        </h2>
        {links.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600">This message has no links.</p>
        ) : (
          <ul className="mt-1 space-y-1 text-sm">
            {links.map((url) => (
              <li key={url}>
                <a href={url} className="break-all text-blue-700 hover:underline">
                  {url}
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="html-heading" className="mt-6">
        <h2 id="html-heading" className="text-sm font-semibold text-slate-900">
          HTML
        </h2>
        <iframe
          title="Email preview"
          srcDoc={withBaseTarget(message.html)}
          sandbox="allow-popups allow-popups-to-escape-sandbox"
          className="mt-2 h-[560px] w-full rounded border border-slate-200 bg-white"
        />
      </section>

      <section aria-labelledby="text-heading" className="mt-6">
        <h2 id="text-heading" className="text-sm font-semibold text-slate-900">
          Plain text
        </h2>
        <pre className="mt-2 overflow-x-auto rounded border border-slate-200 bg-slate-50 p-4 text-sm whitespace-pre-wrap text-slate-800">
          {message.text}
        </pre>
      </section>
    </main>
  );
}
