import type { EmailMessage } from "@/server/db/schema";

const COLOURS: Record<EmailMessage["status"], string> = {
  kept: "bg-slate-100 text-slate-700 ring-slate-300",
  queued: "bg-violet-50 text-violet-700 ring-violet-300",
  sent: "bg-green-50 text-green-700 ring-green-300",
  failed: "bg-red-50 text-red-700 ring-red-300",
};

export function EmailStatusBadge({ status }: { status: EmailMessage["status"] }) {
  return (
    <span className={`inline-flex items-center rounded px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${COLOURS[status]}`}>
      {status}
    </span>
  );
}
