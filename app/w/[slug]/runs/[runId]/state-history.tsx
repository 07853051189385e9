"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/provider";
import { Alert, Table, Td, Th } from "@/app/_components/ui";
import { StateBadge } from "@/app/_components/state-badge";

export function StateHistory({ slug, runId }: { slug: string; runId: string }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.runs.history.queryOptions({ workspace: slug, runId }));
  if (history.isPending) return <p className="text-slate-500">Loading…</p>;
  if (history.isError) return <Alert>{history.error.message}</Alert>;
  return (
    <Table label="State history">
      <thead>
        <tr>
          <Th>State</Th>
          <Th>Attempt</Th>
          <Th>Time</Th>
          <Th>Message</Th>
        </tr>
      </thead>
      <tbody>
        {history.data.map((s, i) => (
          <tr key={i}>
            <Td className="whitespace-nowrap">
              <StateBadge type={s.type} name={s.name} />
              {s.actorLabel && <span className="ml-1 text-slate-600"> by {s.actorLabel}</span>}
            </Td>
            <Td className="tabular-nums">{s.attempt}</Td>
            <Td className="whitespace-nowrap font-mono text-xs text-slate-600">
              <time dateTime={s.timestamp}>{new Date(s.timestamp).toLocaleString()}</time>
            </Td>
            <Td className="whitespace-pre-wrap text-slate-700">{s.message ?? <span className="text-slate-400">—</span>}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
