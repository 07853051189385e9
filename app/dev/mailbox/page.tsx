import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/server/db/client";
import { listMailbox } from "@/server/email/mailbox";
import { devMailboxEnabled } from "@/server/env";
import { RelativeTime } from "@/app/_components/relative-time";
import { EmailStatusBadge } from "./status-badge";

export const dynamic = "force-dynamic";

export const metadata = { title: "Dev mailbox · Baton" };

export default async function DevMailboxPage({ searchParams }: { searchParams: Promise<{ before?: string | string[] }> }) {
  if (!devMailboxEnabled()) notFound();
  const before = z.uuid().safeParse((await searchParams).before);
  const { messages, nextCursor } = await listMailbox(getDb(), { before: before.success ? before.data : undefined });

  return (
    <main className="mx-auto max-w-5xl px-6 py-8">
      <h1 className="text-xl font-semibold text-slate-900">Dev mailbox</h1>
      <p className="mt-1 text-sm text-slate-600">
        Every email Baton has stored, newest first. Only available in development or with BATON_DEV_MAILBOX=1.
      </p>

      {messages.length === 0 ? (
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
