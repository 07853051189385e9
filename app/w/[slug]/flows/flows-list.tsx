"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { RelativeTime } from "@/app/_components/relative-time";
import { Alert, EmptyState, PageHeader, Table, Td, Th } from "@/app/_components/ui";
import { useTRPC } from "@/app/_trpc/provider";

export function FlowsList({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const flows = useQuery(trpc.deployments.flows.queryOptions({ workspace: slug }));
  const deployments = useQuery(trpc.deployments.list.queryOptions({ workspace: slug }));
  const header = <PageHeader title="Flows" description="Flows written with the baton SDK or wrapped commands, with their deployments and runs." />;
  if (flows.isPending) return <>{header}<p className="text-slate-500">Loading…</p></>;
  if (flows.isError) return <>{header}<Alert>{flows.error.message}</Alert></>;
  if (flows.data.length === 0) {
    return (
      <>
        {header}
        <EmptyState title="No flows yet">
          <p>
            A flow appears here the first time you deploy it (<code className="rounded bg-slate-100 px-1 font-mono text-xs">npx baton deploy</code>) or run it with the SDK
            and an API key.
          </p>
        </EmptyState>
      </>
    );
  }
  const count = (flowId: string) => (deployments.data ?? []).filter((d) => d.flowId === flowId).length;
  return (
    <>
      {header}
      <Table label="Flows">
        <thead>
          <tr>
            <Th>Flow</Th>
            <Th>Deployments</Th>
            <Th>Created</Th>
          </tr>
        </thead>
        <tbody>
          {flows.data.map((f) => (
            <tr key={f.id}>
              <Td>
                <Link href={`/w/${slug}/flows/${f.id}`} className="font-medium text-sky-800 hover:underline">
                  {f.name}
                </Link>
              </Td>
              <Td>{deployments.data ? count(f.id) : "…"}</Td>
              <Td>
                <RelativeTime value={f.createdAt} />
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </>
  );
}
