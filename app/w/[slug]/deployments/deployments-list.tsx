"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useLiveRefresh } from "@/app/_live/use-live-refresh";
import { RelativeTime } from "@/app/_components/relative-time";
import { StateBadge } from "@/app/_components/state-badge";
import { Alert, Badge, EmptyState, PageHeader, Table, Td, Th } from "@/app/_components/ui";
import { useTRPC } from "@/app/_trpc/provider";
import { describeSchedule } from "./describe-schedule";

export function DeploymentsList({ slug }: { slug: string }) {
  const trpc = useTRPC();
  useLiveRefresh(slug, { kinds: ["flow_run"] });
  const list = useQuery(trpc.deployments.list.queryOptions({ workspace: slug }));
  const overview = useQuery(trpc.deployments.overview.queryOptions({ workspace: slug }));

  const header = <PageHeader title="Deployments" description="Flows and commands registered to run on a schedule or on demand." />;
  if (list.isPending) return <>{header}<p className="text-slate-500">Loading…</p></>;
  if (list.isError) return <>{header}<Alert>{list.error.message}</Alert></>;
  if (list.data.length === 0) {
    return (
      <>
        {header}
        <EmptyState title="No deployments yet">
          <p>
            Run <code className="rounded bg-slate-100 px-1 font-mono text-xs">npx baton deploy</code> in your project: it registers the deployments of its{" "}
            <code className="rounded bg-slate-100 px-1 font-mono text-xs">baton.yaml</code> here. Then start an agent on the machine that should run them (see{" "}
            <Link href={`/w/${slug}/work-pools`} className="text-sky-700 underline">
              Work pools
            </Link>
            ).
          </p>
        </EmptyState>
      </>
    );
  }
  const byId = new Map((overview.data ?? []).map((o) => [o.deploymentId, o]));
  return (
    <>
      {header}
      <Table label="Deployments">
        <thead>
          <tr>
            <Th>Deployment</Th>
            <Th>Schedule</Th>
            <Th>Next run</Th>
            <Th>Last run</Th>
            <Th>Work pool</Th>
            <Th>Status</Th>
          </tr>
        </thead>
        <tbody>
          {list.data.map((d) => {
            const o = byId.get(d.id);
            const active = d.schedules.filter((s) => s.active);
            return (
              <tr key={d.id}>
                <Td>
                  <Link href={`/w/${slug}/deployments/${d.id}`} className="font-medium text-sky-800 hover:underline">
                    {d.flowName}/{d.name}
                  </Link>
                  {d.description && <p className="max-w-sm truncate text-xs text-slate-500">{d.description}</p>}
                </Td>
                <Td>{active.length ? active.map((s) => <div key={s.id}>{describeSchedule(s)}</div>) : <span className="text-slate-500">None (runs on demand)</span>}</Td>
                <Td>{o?.nextRunTime ? <RelativeTime value={o.nextRunTime} /> : <span className="text-slate-400">—</span>}</Td>
                <Td>
                  {o?.lastRun ? (
                    <Link href={`/w/${slug}/runs/${o.lastRun.id}`} className="inline-flex items-center gap-2 hover:underline">
                      <StateBadge type={o.lastRun.stateType} name={o.lastRun.stateName} />
                      <RelativeTime value={o.lastRun.time} />
                    </Link>
                  ) : (
                    <span className="text-slate-400">no runs yet</span>
                  )}
                </Td>
                <Td>{d.workPool}</Td>
                <Td>{d.paused ? <Badge tone="amber">Paused</Badge> : <Badge tone="green">Active</Badge>}</Td>
              </tr>
            );
          })}
        </tbody>
      </Table>
    </>
  );
}
