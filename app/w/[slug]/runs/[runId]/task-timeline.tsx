"use client";

import { EmptyState } from "@/app/_components/ui";
import { durationOf, formatDuration } from "../_components/duration";
import type { TaskRun, TaskRunState } from "../_components/router-outputs";
import { stateStyle } from "@/app/_components/state-style";
import { useNow } from "../_components/use-now";

const RETRY_NAMES = new Set(["AwaitingRetry", "Retrying"]);

/** A Gantt of the task runs: one bar per task run from start to end, retries marked on the bar. */
export function TaskTimeline({
  taskRuns,
  history,
  labels,
  onSelect,
}: {
  taskRuns: TaskRun[];
  history: TaskRunState[];
  labels: Map<string, string>;
  onSelect: (id: string) => void;
}) {
  const now = useNow(1_000, taskRuns.some((r) => r.startTime && !r.endTime));
  if (taskRuns.length === 0) return <EmptyState title="No task runs">The timeline fills in as the run reports its tasks.</EmptyState>;
  const t = (iso: string | null) => (iso ? new Date(iso).getTime() : null);
  const starts = taskRuns.map((r) => t(r.startTime) ?? t(r.createdAt)!);
  const ends = taskRuns.map((r, i) => t(r.endTime) ?? (r.startTime ? now : starts[i]));
  const t0 = Math.min(...starts);
  const span = Math.max(1, Math.max(...ends) - t0);
  const pct = (ms: number) => `${(((ms - t0) / span) * 100).toFixed(3)}%`;
  const retriesOf = new Map<string, TaskRunState[]>();
  for (const s of history) if (RETRY_NAMES.has(s.name)) retriesOf.set(s.taskRunId, [...(retriesOf.get(s.taskRunId) ?? []), s]);

  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="mb-2 flex justify-between pl-44 text-xs text-slate-500">
        <span>0</span>
        <span>{formatDuration(span / 2)}</span>
        <span>{formatDuration(span)}</span>
      </div>
      <ol aria-label="Task timeline" className="flex flex-col gap-1.5">
        {taskRuns.map((r, i) => {
          const style = stateStyle(r.state.type, r.state.name);
          const duration = durationOf(r.startTime, r.endTime, now);
          const retries = retriesOf.get(r.id) ?? [];
          const retried = r.attempt > 1 || retries.length > 0;
          const label = labels.get(r.id)!;
          const width = Math.max(((ends[i] - starts[i]) / span) * 100, 0.6);
          return (
            <li key={r.id} className="flex items-center gap-2 text-sm">
              <button type="button" onClick={() => onSelect(r.id)} className="w-42 shrink-0 truncate text-left font-medium text-sky-800 hover:underline" title={label}>
                {label}
              </button>
              <div className="relative h-6 flex-1 rounded bg-slate-50">
                <div
                  role="img"
                  aria-label={`${label}: ${r.state.name}${duration !== null ? `, ${formatDuration(duration)}` : ""}${retried ? `, retried (attempt ${r.attempt})` : ""}`}
                  title={`${label}: ${r.state.name}${duration !== null ? ` · ${formatDuration(duration)}` : ""}${retried ? ` · attempt ${r.attempt}` : ""}`}
                  className={`absolute top-0.5 bottom-0.5 rounded ${style.bar} ${r.state.type === "RUNNING" ? "animate-pulse" : ""}`}
                  style={{ left: pct(starts[i]), width: `${width}%` }}
                />
                {retries.map((s, j) => {
                  const at = new Date(s.timestamp).getTime();
                  return (
                    <span
                      key={j}
                      aria-hidden
                      title={`${s.name} at ${new Date(s.timestamp).toLocaleTimeString()}${s.message ? `: ${s.message}` : ""}`}
                      className={`absolute top-0 bottom-0 w-0.5 ${s.name === "AwaitingRetry" ? "bg-amber-600" : "bg-blue-800"}`}
                      style={{ left: pct(Math.min(Math.max(at, t0), t0 + span)) }}
                    />
                  );
                })}
              </div>
              <span className="w-40 shrink-0 text-xs text-slate-600">
                {r.state.name}
                {duration !== null && ` · ${formatDuration(duration)}`}
                {retried && <span className="ml-1 rounded bg-amber-100 px-1 text-amber-800">retried, attempt {r.attempt}</span>}
              </span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
