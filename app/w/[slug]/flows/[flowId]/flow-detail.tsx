"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useLiveRefresh } from "@/app/_live/use-live-refresh";
import { RelativeTime } from "@/app/_components/relative-time";
import { StateBadge } from "@/app/_components/state-badge";
import { Alert, Badge, Card, PageHeader, Table, Td, Th } from "@/app/_components/ui";
import { useTRPC } from "@/app/_trpc/provider";
import { describeSchedule } from "../../deployments/describe-schedule";

export function FlowDetail({ slug, flowId }: { slug: string; flowId: string }) {
  const trpc = useTRPC();
  useLiveRefresh(slug, { kinds: ["flow_run"] });
  const flow = useQuery(trpc.deployments.flow.queryOptions({ workspace: slug, flowId }, { retry: false }));
  const deployments = useQuery(trpc.deployments.list.queryOptions({ workspace: slug }));
  const runs = useQuery(trpc.runs.list.queryOptions({ workspace: slug, flow: flowId, limit: 20 }));
  if (flow.isPending) return <p className="text-slate-500">Loading…</p>;
  if (flow.isError) return <Alert>{flow.error.message}</Alert>;
  const mine = (deployments.data ?? []).filter((d) => d.flowId === flowId);
  // Future runs the scheduler keeps ahead are not "recent".
  const soon = runs.dataUpdatedAt + 60_000;
  const recent = runs.data?.runs.filter((r) => !(r.state.type === "SCHEDULED" && Date.parse(r.scheduledTime) > soon)) ?? [];
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
        <Link href={`/w/${slug}/flows`} className="hover:underline">
          Flows
        </Link>
      </nav>
      <PageHeader title={flow.data.name} description={<>Registered <RelativeTime value={flow.data.createdAt} /></>} />
      <Card title="Deployments">
        {mine.length === 0 ? (
          <p className="text-slate-600">
            No deployments of this flow. Add one to your <code className="rounded bg-slate-100 px-1 font-mono text-xs">baton.yaml</code> and run{" "}
            <code className="rounded bg-slate-100 px-1 font-mono text-xs">npx baton deploy</code>.
          </p>
        ) : (
          <Table label="Deployments of this flow">
            <thead>
              <tr>
                <Th>Deployment</Th>
                <Th>Schedule</Th>
                <Th>Work pool</Th>
                <Th>Status</Th>
              </tr>
            </thead>
            <tbody>
              {mine.map((d) => (
                <tr key={d.id}>
                  <Td>
                    <Link href={`/w/${slug}/deployments/${d.id}`} className="font-medium text-sky-800 hover:underline">
                      {d.name}
                    </Link>
                  </Td>
                  <Td>{d.schedules.filter((s) => s.active).map(describeSchedule).join("; ") || <span className="text-slate-500">on demand</span>}</Td>
                  <Td>{d.workPool}</Td>
                  <Td>{d.paused ? <Badge tone="amber">Paused</Badge> : <Badge tone="green">Active</Badge>}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
      <Card title="Recent runs">
        {runs.isError && <Alert>{runs.error.message}</Alert>}
        {runs.data &&
          (recent.length === 0 ? (
            <p className="text-slate-600">No runs of this flow yet.</p>
          ) : (
            <Table label="Recent runs of this flow">
              <thead>
                <tr>
                  <Th>Run</Th>
                  <Th>State</Th>
                  <Th>Deployment</Th>
                  <Th>Scheduled</Th>
                </tr>
              </thead>
              <tbody>
                {recent.map((r) => (
                  <tr key={r.id}>
                    <Td>
                      <Link href={`/w/${slug}/runs/${r.id}`} className="font-medium text-sky-800 hover:underline">
                        {r.name}
                      </Link>
                    </Td>
                    <Td>
                      <StateBadge type={r.state.type} name={r.state.name} />
                    </Td>
                    <Td>{r.deploymentName ?? <span className="text-slate-500">ad hoc</span>}</Td>
                    <Td>
                      <RelativeTime value={r.scheduledTime} />
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          ))}
      </Card>
    </>
  );
}
