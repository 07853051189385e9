import Link from "next/link";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/server/db/client";
import { currentUser } from "@/server/auth/current-user";
import { listMailbox } from "@/server/email/mailbox";
import { mailboxScope, type MailboxScope } from "@/server/email/mailbox-access";
import { devMailboxEnabled } from "@/server/env";
import { RelativeTime } from "@/app/_components/relative-time";
import { EmailStatusBadge } from "./status-badge";

export const dynamic = "force-dynamic";

export const metadata = { title: "Dev mailbox · Baton" };

function describeScope(scope: MailboxScope): string {
  if (scope.kind === "to") return `The email sent to you (${scope.email}), newest first.`;
  if (scope.kind === "all") return "Every email Baton has stored, newest first: you opened it on this machine and are not signed in.";
  return "No mail is shown to visitors who are not signed in.";
}

export default async function DevMailboxPage({ searchParams }: { searchParams: Promise<{ before?: string | string[] }> }) {
  if (!devMailboxEnabled()) notFound();
  const before = z.uuid().safeParse((await searchParams).before);
  const scope = mailboxScope(await headers(), await currentUser());
  const { messages, nextCursor } = await listMailbox(getDb(), scope, { before: before.success ? before.data : undefined });

  return (
    <main className="mx-auto max-w-5xl px-6 py-8">
      <h1 className="text-xl font-semibold text-slate-900">Dev mailbox</h1>
      <p className="mt-1 text-sm text-slate-600">
        {describeScope(scope)} Only available in development or with BATON_DEV_MAILBOX=1.
      </p>

      {scope.kind === "none" ? (
        <div className="mt-6 rounded border border-dashed border-slate-300 p-6 text-sm text-slate-600">
          <p className="font-medium text-slate-900">Sign in to read your mail.</p>
          <p className="mt-1">
            Mail holds sign-in and reset links, so this page shows it only to the person it is addressed to, or to
            someone on the machine Baton runs on (open it at http://localhost).{" "}
            <Link href="/signin?callbackUrl=%2Fdev%2Fmailbox" className="text-blue-700 hover:underline">
              Sign in
            </Link>
          </p>
        </div>
      ) : messages.length === 0 ? (
        <div className="mt-6 rounded border border-dashed border-slate-300 p-6 text-sm text-slate-600">
          <p className="font-medium text-slate-900">No email yet.</p>
          <p className="mt-1">
            While RESEND_API_KEY is unset, Baton keeps every email it would send and shows it here. Sign up or invite
            someone to see one.
          </p>
        </div>
      ) : (
        <table className="mt-6 w-full border-collapse text-left text-sm">
          <thead>
            <tr className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
              <th scope="col" className="py-2 pr-4 font-medium">To</th>
              <th scope="col" className="py-2 pr-4 font-medium">Subject</th>
              <th scope="col" className="py-2 pr-4 font-medium">Status</th>
              <th scope="col" className="py-2 font-medium">Created</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.id} className="border-b border-slate-100">
                <td className="py-2 pr-4 text-slate-700">{m.to}</td>
                <td className="py-2 pr-4">
                  <Link href={`/dev/mailbox/${m.id}`} className="text-blue-700 hover:underline">
                    {m.subject}
                  </Link>
                </td>
                <td className="py-2 pr-4">
                  <EmailStatusBadge status={m.status} />
                </td>
                <td className="py-2 whitespace-nowrap text-slate-600">
                  <RelativeTime value={m.createdAt.toISOString()} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {nextCursor && (
        <p className="mt-4 text-sm">
          <Link href={`/dev/mailbox?before=${nextCursor}`} className="text-blue-700 hover:underline">
            Older messages
          </Link>
        </p>
      )}
    </main>
  );
}
