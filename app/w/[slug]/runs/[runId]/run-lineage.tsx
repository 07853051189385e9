"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/app/_trpc/provider";
import { StateBadge } from "@/app/_components/state-badge";
import { RelativeTime } from "@/app/_components/relative-time";
import { TERMINAL_STATES } from "@/agent/protocol/states";
import type { Run } from "../_components/router-outputs";

/**
 * Where the run came from and what it started: its parent (runDeployment), the automation or
 * webhook that started it, its children and the runs automations started after its events. Shows
 * nothing for a run with none of these. Live through the page's event stream; polls too while a
 * child is still going, since a child's events may be all that changes.
 */
export function RunLineage({ slug, run }: { slug: string; run: Run }) {
  const trpc = useTRPC();
  const lineage = useQuery(
    trpc.runs.lineage.queryOptions(
      { workspace: slug, runId: run.id },
      {
        refetchInterval: (q) => (q.state.data?.children.some((c) => !TERMINAL_STATES.includes(c.state.type)) ? 3_000 : false),
      },
    ),
  );
  return lineage.data ? <LineageView slug={slug} run={run} lineage={lineage.data} /> : null;
}

type Lineage = { parent: Run | null; children: Run[]; triggered: Run[] };

/** The panel itself, from data: RunLineage renders it, and tests without a server. */
export function LineageView({ slug, run, lineage: l }: { slug: string; run: Pick<Run, "origin">; lineage: Lineage }) {
  const origin = run.origin;
  if (!l.parent && !origin && l.children.length === 0 && l.triggered.length === 0) return null;
  const runLink = (id: string, name: string) => (
    <Link href={`/w/${slug}/runs/${id}`} className="font-medium text-sky-700 hover:underline">
      {name}
    </Link>
  );

  return (
    <section aria-labelledby="lineage-heading" className="mb-6 rounded-lg border border-slate-200 bg-white p-4 text-sm">
      <h2 id="lineage-heading" className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">
        Lineage
      </h2>
      <div className="flex flex-col gap-2">
        {l.parent && (
          <p>
            Child of {runLink(l.parent.id, l.parent.name)} <StateBadge type={l.parent.state.type} name={l.parent.state.name} />{" "}
            <span className="text-slate-500">
              {l.parent.flowName}
              {l.parent.deploymentName ? `/${l.parent.deploymentName}` : ""}
            </span>
          </p>
        )}
        {origin?.kind === "automation" && (
          <p>
            Started by automation{" "}
            <Link href={`/w/${slug}/automations/${origin.automationId}`} className="font-medium text-sky-700 hover:underline">
              {origin.automationName}
            </Link>
            {origin.runId && (
              <>
                {" "}
                after run {runLink(origin.runId, origin.runName ?? origin.runId)} {origin.event}
              </>
            )}
            {!origin.runId && ` on ${origin.event}`}
          </p>
        )}
        {origin?.kind === "webhook" && (
          <p>
            Started by incoming webhook{" "}
            <Link href={`/w/${slug}/incoming-webhooks/${origin.endpointId}`} className="font-medium text-sky-700 hover:underline">
              {origin.endpointName}
            </Link>
          </p>
        )}
        <RunList title="Children" label="Child runs" runs={l.children} slug={slug} />
        <RunList title="Started these runs" label="Runs started after this run" runs={l.triggered} slug={slug} />
      </div>
    </section>
  );
}

function RunList({ title, label, runs, slug }: { title: string; label: string; runs: Run[]; slug: string }) {
  if (runs.length === 0) return null;
  return (
    <div>
      <h3 className="font-semibold text-slate-700">
        {title} ({runs.length})
      </h3>
      <ul aria-label={label} className="mt-1 divide-y divide-slate-100">
        {runs.map((c) => (
          <li key={c.id} className="flex flex-wrap items-center gap-2 py-1">
            <Link href={`/w/${slug}/runs/${c.id}`} className="font-medium text-sky-700 hover:underline">
              {c.name}
            </Link>
            <StateBadge type={c.state.type} name={c.state.name} />
            <span className="text-slate-500">
              {c.flowName}
              {c.deploymentName ? `/${c.deploymentName}` : ""}
            </span>
            <span className="text-slate-400">
              <RelativeTime value={c.createdAt} />
            </span>
            {c.state.message && c.state.type !== "COMPLETED" && <span className="truncate text-slate-600">{c.state.message}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
