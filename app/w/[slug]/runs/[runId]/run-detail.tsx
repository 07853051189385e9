"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo, useState, type ReactNode } from "react";
import { useLiveRefresh } from "@/app/_live/use-live-refresh";
import { useTRPC } from "@/app/_trpc/provider";
import { RelativeTime } from "@/app/_components/relative-time";
import { Alert, SelectField } from "@/app/_components/ui";
import { roleAtLeast } from "@/server/auth/roles";
import { durationOf, formatDuration } from "../_components/duration";
import { StateBadge } from "@/app/_components/state-badge";
import { TERMINAL_STATES } from "@/agent/protocol/states";
import { RunActions } from "./run-actions";
import { RunArtifacts } from "./run-artifacts";
import { RunLineage } from "./run-lineage";
import { RunPause } from "./run-pause";
import { RunLogs } from "./run-logs";
import { StateHistory } from "./state-history";
import { TaskGraph } from "./task-graph";
import { taskLabels } from "./task-labels";
import { TaskRunPanel } from "./task-run-panel";
import { TaskTimeline } from "./task-timeline";
import { WhyWaiting } from "./why-waiting";
import { useRunLogs } from "./use-run-logs";

const TABS = [
  { id: "timeline", label: "Timeline" },
  { id: "graph", label: "Graph" },
  { id: "logs", label: "Logs" },
  { id: "artifacts", label: "Artifacts" },
  { id: "states", label: "States" },
] as const;
type Tab = (typeof TABS)[number]["id"];

export function RunDetail({ slug, runId }: { slug: string; runId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  useLiveRefresh(slug);
  const input = { workspace: slug, runId };
  const workspace = useQuery(trpc.workspaces.get.queryOptions({ workspace: slug }));
  const run = useQuery(trpc.runs.get.queryOptions(input, { retry: false }));
  const finished = run.data ? TERMINAL_STATES.includes(run.data.state.type) : false;
  // While the run goes, poll as a fallback to the live stream.
  const poll = finished ? false : 3_000;
  const taskRuns = useQuery(trpc.runs.taskRuns.queryOptions(input, { enabled: run.isSuccess, refetchInterval: poll }));
  const taskHistory = useQuery(trpc.runs.taskRunHistory.queryOptions(input, { enabled: run.isSuccess, refetchInterval: poll }));
  const agents = useQuery(trpc.workPools.agents.queryOptions({ workspace: slug }, { enabled: Boolean(run.data?.agentId) }));
  // Agents coming online and limits freeing send no event of this run: poll while it waits.
  const waiting = useQuery(trpc.runs.waiting.queryOptions(input, { enabled: run.data?.state.type === "SCHEDULED", refetchInterval: 5_000 }));
  const logs = useRunLogs(slug, runId, finished);
  // The same query as the lineage panel's (one request): children are nodes of the graph.
  const lineage = useQuery(trpc.runs.lineage.queryOptions(input, { enabled: run.isSuccess && params.get("tab") === "graph" }));
  const [selectedTask, setSelectedTask] = useState<string | null>(null);
  const [attemptChoice, setAttemptChoice] = useState<number | null>(null);

  const tab: Tab = TABS.some((t) => t.id === params.get("tab")) ? (params.get("tab") as Tab) : "timeline";
  const setTab = (next: Tab) => router.replace(`${pathname}?tab=${next}`, { scroll: false });

  const allTasks = useMemo(() => taskRuns.data?.taskRuns ?? [], [taskRuns.data]);
  const attempts = useMemo(() => [...new Set(allTasks.map((t) => t.flowRunAttempt))].sort((a, b) => a - b), [allTasks]);
  const attempt = attemptChoice !== null && attempts.includes(attemptChoice) ? attemptChoice : attempts.at(-1);
  const tasks = useMemo(() => allTasks.filter((t) => t.flowRunAttempt === attempt), [allTasks, attempt]);
  const labels = useMemo(() => taskLabels(tasks), [tasks]);

  if (run.isPending) return <p className="text-slate-500">Loading…</p>;
  if (run.isError) {
    return (
      <div className="flex flex-col gap-3">
        <h1 className="text-xl font-semibold">Run not found</h1>
        <Alert>{run.error.message}</Alert>
        <Link href={`/w/${slug}/runs`} className="text-sky-700 underline">
          Back to runs
        </Link>
      </div>
    );
  }

  const r = run.data;
  const duration = durationOf(r.startTime, r.endTime);
  const agentName = r.agentId ? (agents.data?.find((a) => a.id === r.agentId)?.name ?? r.agentId) : null;
  const canRun = workspace.data ? roleAtLeast(workspace.data.role, "runner") : false;
  const history = taskHistory.data ?? [];
  const selected = tasks.find((t) => t.id === selectedTask) ?? null;

  return (
    <div>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
        <Link href={`/w/${slug}/runs`} className="hover:underline">
          Runs
        </Link>{" "}
        / {r.name}
      </nav>
      <div className="mb-4 flex flex-wrap items-start justify-between gap-4">
        <div>
          <div className="flex items-center gap-3">
            <h1 className="text-xl font-semibold">{r.name}</h1>
            <StateBadge type={r.state.type} name={r.state.name} />
          </div>
          {r.state.message && (
            <p aria-label="State message" className={`mt-1 whitespace-pre-wrap ${r.state.type === "FAILED" || r.state.type === "CRASHED" ? "text-red-800" : "text-slate-600"}`}>
              {r.state.message}
            </p>
          )}
        </div>
        {canRun && <RunActions slug={slug} run={r} />}
      </div>

      {r.state.type === "SCHEDULED" && waiting.data && <WhyWaiting slug={slug} waiting={waiting.data} />}
      <RunPause key={`${r.attempt}:${r.state.timestamp}`} slug={slug} runId={r.id} paused={r.state.type === "PAUSED"} canAnswer={canRun} />

      <dl className="mb-6 grid grid-cols-2 gap-x-8 gap-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm md:grid-cols-4">
        <Field label="Flow">{r.flowName}</Field>
        <Field label="Deployment">
          {r.deploymentId ? (
            <Link href={`/w/${slug}/deployments/${r.deploymentId}`} className="text-sky-700 hover:underline">
              {r.deploymentName}
            </Link>
          ) : (
            "ad hoc"
          )}
        </Field>
        <Field label="Work pool">{r.workPool ?? "—"}</Field>
        <Field label="Agent">{agentName ?? "—"}</Field>
        <Field label="Scheduled">
          <RelativeTime value={r.scheduledTime} />
        </Field>
        <Field label="Started">{r.startTime ? <RelativeTime value={r.startTime} /> : "—"}</Field>
        <Field label="Ended">{r.endTime ? <RelativeTime value={r.endTime} /> : "—"}</Field>
        <Field label="Duration">{duration === null ? "—" : formatDuration(duration)}</Field>
        <Field label="Attempt">{r.attempt}</Field>
        {r.sourceCommit && (
          <Field label="Commit">
            <code title={r.sourceCommit} className="font-mono text-xs">
              {r.sourceCommit.slice(0, 12)}
            </code>
          </Field>
        )}
        <Field label="Tags">{r.tags.length ? r.tags.join(", ") : "—"}</Field>
        <Field label="Created by">{r.createdBy ?? "—"}</Field>
        <div className="col-span-2 md:col-span-4">
          <dt className="text-xs font-semibold uppercase tracking-wide text-slate-500">Parameters</dt>
          <dd>
            <pre aria-label="Parameters" className="mt-1 overflow-x-auto rounded bg-slate-50 p-2 font-mono text-xs">
              {JSON.stringify(r.parameters, null, 2)}
            </pre>
          </dd>
        </div>
      </dl>

      <RunLineage slug={slug} run={r} />

      <div role="tablist" aria-label="Run details" className="mb-4 flex gap-1 border-b border-slate-200">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            onClick={() => setTab(t.id)}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${tab === t.id ? "border-slate-900 text-slate-900" : "border-transparent text-slate-500 hover:text-slate-800"}`}
          >
            {t.label}
          </button>
        ))}
      </div>

      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {(tab === "timeline" || tab === "graph") && (
          <>
            {taskRuns.isError && <Alert>{taskRuns.error.message}</Alert>}
            {attempts.length > 1 && (
              <SelectField id="task-attempt" label="Flow run attempt" className="mb-3 w-48" value={attempt} onChange={(e) => setAttemptChoice(Number(e.target.value))}>
                {attempts.map((a) => (
                  <option key={a} value={a}>
                    Attempt {a}
                  </option>
                ))}
              </SelectField>
            )}
            {taskRuns.isPending ? (
              <p className="text-slate-500">Loading…</p>
            ) : tab === "timeline" ? (
              <TaskTimeline taskRuns={tasks} history={history} labels={labels} onSelect={setSelectedTask} />
            ) : (
              <TaskGraph taskRuns={tasks} childRuns={lineage.data?.children} slug={slug} labels={labels} selected={selectedTask} onSelect={setSelectedTask} />
            )}
            {selected && (
              <TaskRunPanel
                taskRun={selected}
                label={labels.get(selected.id)!}
                labels={labels}
                history={history.filter((h) => h.taskRunId === selected.id)}
                lines={logs.lines.filter((l) => l.taskRunId === selected.id)}
                onClose={() => setSelectedTask(null)}
              />
            )}
          </>
        )}
        {tab === "logs" && <RunLogs runName={r.name} lines={logs.lines} loading={logs.loading} error={logs.error} />}
        {tab === "artifacts" && <RunArtifacts slug={slug} runId={runId} />}
        {tab === "states" && <StateHistory slug={slug} runId={runId} />}
      </div>
    </div>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-semibold uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-slate-800">{children}</dd>
    </div>
  );
}
