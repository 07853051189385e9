import { PageHeader } from "@/app/_components/ui";
import { AuditLogTable } from "./audit-log-table";

export const metadata = { title: "Audit log" };

export default async function AuditLogPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return (
    <>
      <PageHeader title="Audit log" description="Who changed what in this workspace, newest first." />
      <AuditLogTable slug={slug} />
    </>
  );
}
