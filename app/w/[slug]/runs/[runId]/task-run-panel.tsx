"use client";

import { Button } from "@/app/_components/ui";
import { durationOf, formatDuration } from "../_components/duration";
import type { LogLine, TaskRun, TaskRunState } from "../_components/router-outputs";
import { StateBadge } from "@/app/_components/state-badge";
import { LogLines } from "./run-logs";

/** What a click on a graph node or timeline row shows: that task run's state, times, cache key, history and its log lines. */
export function TaskRunPanel({
  taskRun,
  label,
  labels,
  history,
  lines,
  onClose,
}: {
  taskRun: TaskRun;
  label: string;
  labels: Map<string, string>;
  history: TaskRunState[];
  lines: LogLine[];
  onClose: () => void;
}) {
  const duration = durationOf(taskRun.startTime, taskRun.endTime);
  const time = (iso: string | null) => (iso ? <time dateTime={iso}>{new Date(iso).toLocaleString()}</time> : <span className="text-slate-400">—</span>);
  return (
    <section aria-label={`Task run ${label}`} className="mt-4 rounded-lg border border-slate-200 bg-white p-4">
      <div className="mb-3 flex items-center gap-3">
        <h2 className="text-base font-semibold">{label}</h2>
        <StateBadge type={taskRun.state.type} name={taskRun.state.name} />
        <Button variant="secondary" className="ml-auto" onClick={onClose}>
          Close
        </Button>
      </div>
      {taskRun.state.message && <p className="mb-3 whitespace-pre-wrap text-slate-700">{taskRun.state.message}</p>}
      <dl className="mb-4 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
        <dt className="text-slate-500">Task key</dt>
        <dd className="font-mono text-xs">{taskRun.taskKey}</dd>
        <dt className="text-slate-500">Start</dt>
        <dd>{time(taskRun.startTime)}</dd>
        <dt className="text-slate-500">End</dt>
        <dd>{time(taskRun.endTime)}</dd>
        <dt className="text-slate-500">Duration</dt>
        <dd>{duration === null ? "—" : formatDuration(duration)}</dd>
        <dt className="text-slate-500">Attempt</dt>
        <dd>{taskRun.attempt}</dd>
        <dt className="text-slate-500">Cache key</dt>
        <dd className="font-mono text-xs break-all">{taskRun.cacheKey ?? "—"}</dd>
        <dt className="text-slate-500">Upstream</dt>
        <dd>{taskRun.upstreamTaskRunIds.length ? taskRun.upstreamTaskRunIds.map((u) => labels.get(u) ?? u).join(", ") : "—"}</dd>
        <dt className="text-slate-500">States</dt>
        <dd className="flex flex-wrap gap-1">
          {history.map((s, i) => (
            <span key={i} title={`${new Date(s.timestamp).toLocaleString()}${s.message ? `: ${s.message}` : ""}`}>
              <StateBadge type={s.type} name={s.name} />
            </span>
          ))}
        </dd>
      </dl>
      <h3 className="mb-2 text-sm font-semibold">Log lines of this task</h3>
      {lines.length ? <LogLines lines={lines} label={`Logs of ${label}`} /> : <p className="text-slate-500">No log lines from this task.</p>}
    </section>
  );
}
