"use client";

import { useMemo, useState } from "react";
import { LOG_LEVELS, type LogLevel } from "@/agent/protocol/logs";
import { Alert, Button, EmptyState, SelectField, TextField } from "@/app/_components/ui";
import type { LogLine } from "../_components/router-outputs";

const LEVEL_STYLE: Record<LogLevel, string> = {
  debug: "text-slate-400",
  info: "text-sky-700",
  warning: "text-amber-700",
  error: "text-red-700",
  critical: "text-red-900 font-bold",
};

export function formatLogLine(l: LogLine) {
  return `${l.timestamp} ${l.level.toUpperCase().padEnd(8)} ${l.message}`;
}

export function LogLines({ lines, label }: { lines: LogLine[]; label: string }) {
  return (
    <div role="log" aria-label={label} className="max-h-[32rem] overflow-auto rounded-lg border border-slate-200 bg-slate-950 p-3 font-mono text-xs leading-5 text-slate-100">
      {lines.map((l) => (
        <div key={`${l.attempt}:${l.seq}`} className="flex gap-3 whitespace-pre-wrap">
          <time dateTime={l.timestamp} className="shrink-0 text-slate-500">
            {new Date(l.timestamp).toLocaleTimeString()}
          </time>
          <span className={`w-16 shrink-0 uppercase ${LEVEL_STYLE[l.level]}`}>{l.level}</span>
          <span className="break-all">{l.message}</span>
        </div>
      ))}
    </div>
  );
}

export function RunLogs({ runName, lines, loading, error }: { runName: string; lines: LogLine[]; loading: boolean; error: { message: string } | null }) {
  const [level, setLevel] = useState<LogLevel>("debug");
  const [search, setSearch] = useState("");
  const shown = useMemo(() => {
    const min = LOG_LEVELS.indexOf(level);
    const needle = search.trim().toLowerCase();
    return lines.filter((l) => LOG_LEVELS.indexOf(l.level) >= min && (!needle || l.message.toLowerCase().includes(needle)));
  }, [lines, level, search]);

  function download() {
    const blob = new Blob([lines.map(formatLogLine).join("\n") + "\n"], { type: "text/plain" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = `${runName}.log`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end gap-3">
        <SelectField id="log-level" label="Minimum level" value={level} onChange={(e) => setLevel(e.target.value as LogLevel)}>
          {LOG_LEVELS.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </SelectField>
        <TextField id="log-search" label="Search logs" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="text in the message" />
        <Button variant="secondary" onClick={download} disabled={lines.length === 0}>
          Download
        </Button>
        <p className="text-xs text-slate-500" aria-live="polite">
          {shown.length} of {lines.length} lines
        </p>
      </div>
      {error && <Alert>{error.message}</Alert>}
      {loading ? (
        <p className="text-slate-500">Loading…</p>
      ) : lines.length === 0 ? (
        <EmptyState title="No log lines yet">Lines the flow logs (and what it prints) appear here as the run goes.</EmptyState>
      ) : (
        <LogLines lines={shown} label="Run logs" />
      )}
    </div>
  );
}
