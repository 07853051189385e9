"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { STATE_TYPES, type StateType } from "@/agent/protocol/states";
import { useLiveRefresh } from "@/app/_live/use-live-refresh";
import { useTRPC } from "@/app/_trpc/provider";
import { RelativeTime } from "@/app/_components/relative-time";
import { Alert, Button, EmptyState, Table, Td, Th } from "@/app/_components/ui";
import { roleAtLeast } from "@/server/auth/roles";
import { durationOf, formatDuration } from "./_components/duration";
import { StateBadge } from "@/app/_components/state-badge";
import { TERMINAL_STATES } from "@/agent/protocol/states";
import { useNow } from "./_components/use-now";
import { RunsFilters, TIME_RANGES, type Filters } from "./runs-filters";

const PAGE_SIZE = 50;

export function RunsList({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const { connected } = useLiveRefresh(slug, { kinds: ["flow_run"] });

  const filters: Filters = {
    state: STATE_TYPES.includes(params.get("state") as StateType) ? (params.get("state") as string) : "",
    deployment: params.get("deployment") ?? "",
    flow: params.get("flow") ?? "",
    tag: params.get("tag") ?? "",
    range: params.get("range") ?? "",
  };
  // The trail of page cursors, newest page first: "Newer runs" drops the last one.
  const trail = (params.get("cursors") ?? "").split(",").filter(Boolean);
  const cursor = trail.at(-1);
  const rangeMs = TIME_RANGES.find((r) => r.value === filters.range)?.ms ?? 0;
  const now = useNow(5_000);
  // Rounded to the minute so the query key stays the same between renders.
  const from = rangeMs ? new Date(Math.floor((now - rangeMs) / 60_000) * 60_000).toISOString() : undefined;

  const input = {
    workspace: slug,
    limit: PAGE_SIZE,
    state: (filters.state || undefined) as StateType | undefined,
    deployment: filters.deployment || undefined,
    flow: filters.flow || undefined,
    tag: filters.tag || undefined,
    from,
    cursor,
  };
  const workspace = useQuery(trpc.workspaces.get.queryOptions({ workspace: slug }));
  const runs = useQuery(trpc.runs.list.queryOptions(input, { placeholderData: (prev) => prev }));
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkResult, setBulkResult] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const cancel = useMutation(trpc.runs.cancel.mutationOptions());
  const canRun = workspace.data ? roleAtLeast(workspace.data.role, "runner") : false;

  function navigate(next: Filters, cursors: string[] = []) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v) q.set(k, v);
    if (cursors.length) q.set("cursors", cursors.join(","));
    setSelected(new Set());
    router.push(q.size ? `${pathname}?${q}` : pathname);
  }

  async function cancelSelected() {
    const ids = [...selected];
    const results = await Promise.allSettled(ids.map((runId) => cancel.mutateAsync({ workspace: slug, runId })));
    const failed = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    setSelected(new Set());
    setBulkResult(
      failed.length
        ? { tone: "error", text: `${ids.length - failed.length} of ${ids.length} runs cancelled. ${(failed[0].reason as Error).message}` }
        : { tone: "success", text: `Cancel requested for ${ids.length} run${ids.length === 1 ? "" : "s"}.` },
    );
    await runs.refetch();
  }

  const filtered = Object.values(filters).some(Boolean);
  const page = runs.data?.runs ?? [];
  const cancellable = page.filter((r) => !TERMINAL_STATES.includes(r.state.type) && r.state.type !== "CANCELLING");

  return (
    <div>
      <RunsFilters key={params.toString()} slug={slug} value={filters} onChange={(f) => navigate(f)} />
      <p className="mb-2 text-xs text-slate-500" aria-live="polite">
        {connected ? "Live: new runs and state changes appear as they happen." : "Connecting to live updates…"}
      </p>
      {bulkResult && <Alert tone={bulkResult.tone}>{bulkResult.text}</Alert>}
      {runs.isError && <Alert>{runs.error.message}</Alert>}
      {runs.isPending ? (
        <p className="text-slate-500">Loading…</p>
      ) : page.length === 0 && !cursor ? (
        filtered ? (
          <EmptyState title="No runs match these filters">Change or clear the filters above to see more runs.</EmptyState>
        ) : (
          <EmptyState title="No runs yet">
            <p>
              Register a flow with <code className="rounded bg-slate-100 px-1 font-mono text-xs">npx baton deploy path/file.ts:flow --name nightly</code>, start an
              agent on your machine with <code className="rounded bg-slate-100 px-1 font-mono text-xs">npx baton agent start</code>, then start a run with{" "}
              <code className="rounded bg-slate-100 px-1 font-mono text-xs">npx baton run flow/nightly</code> or let its schedule do it. The CLI guide is docs/cli.md.
            </p>
          </EmptyState>
        )
      ) : (
        <>
          {canRun && (
            <div className="mb-2 flex items-center gap-3">
              <Button variant="danger" disabled={selected.size === 0 || cancel.isPending} onClick={cancelSelected}>
                Cancel selected{selected.size ? ` (${selected.size})` : ""}
              </Button>
            </div>
          )}
          <Table label="Flow runs">
            <thead>
              <tr>
                {canRun && (
                  <Th>
                    <input
                      type="checkbox"
                      aria-label="Select all cancellable runs on this page"
                      checked={cancellable.length > 0 && cancellable.every((r) => selected.has(r.id))}
                      disabled={cancellable.length === 0}
                      onChange={(e) => setSelected(e.target.checked ? new Set(cancellable.map((r) => r.id)) : new Set())}
                    />
                  </Th>
                )}
                <Th>State</Th>
                <Th>Run</Th>
                <Th>Flow / deployment</Th>
                <Th>Attempt</Th>
                <Th>Duration</Th>
                <Th>Start</Th>
              </tr>
            </thead>
            <tbody>
              {page.map((run) => {
                const duration = durationOf(run.startTime, run.endTime, now);
                const canCancel = cancellable.includes(run);
                return (
                  <tr key={run.id}>
                    {canRun && (
                      <Td>
                        <input
                          type="checkbox"
                          aria-label={`Select ${run.name}`}
                          disabled={!canCancel}
                          checked={selected.has(run.id)}
                          onChange={(e) => {
                            const next = new Set(selected);
                            if (e.target.checked) next.add(run.id);
                            else next.delete(run.id);
                            setSelected(next);
                          }}
                        />
                      </Td>
                    )}
                    <Td>
                      <StateBadge type={run.state.type} name={run.state.name} />
                    </Td>
                    <Td className="font-medium">
                      <Link href={`/w/${slug}/runs/${run.id}`} className="text-sky-700 hover:underline">
                        {run.name}
                      </Link>
                    </Td>
                    <Td className="text-slate-700">
                      {run.flowName}
                      {run.deploymentName ? <span className="text-slate-500"> / {run.deploymentName}</span> : <span className="text-slate-400"> / ad hoc</span>}
                    </Td>
                    <Td className="tabular-nums">{run.attempt}</Td>
                    <Td className="tabular-nums whitespace-nowrap text-slate-700">{duration === null ? <span className="text-slate-400">—</span> : formatDuration(duration)}</Td>
                    <Td className="whitespace-nowrap text-slate-600">
                      {run.startTime ? (
                        <RelativeTime value={run.startTime} />
                      ) : (
                        <span>
                          scheduled <RelativeTime value={run.scheduledTime} />
                        </span>
                      )}
                    </Td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
          <nav aria-label="Pages of runs" className="mt-3 flex gap-2">
            <Button variant="secondary" disabled={trail.length === 0} onClick={() => navigate(filters, trail.slice(0, -1))}>
              Newer runs
            </Button>
            <Button variant="secondary" disabled={!runs.data?.nextCursor} onClick={() => runs.data?.nextCursor && navigate(filters, [...trail, runs.data.nextCursor])}>
              Older runs
            </Button>
          </nav>
        </>
      )}
    </div>
  );
}
