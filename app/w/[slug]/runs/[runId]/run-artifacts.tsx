"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/provider";
import { Alert, Badge, EmptyState } from "@/app/_components/ui";
import { RelativeTime } from "@/app/_components/relative-time";
import type { Artifact } from "../_components/router-outputs";
import { SafeMarkdown } from "./safe-markdown";

export function RunArtifacts({ slug, runId }: { slug: string; runId: string }) {
  const trpc = useTRPC();
  const artifacts = useQuery(trpc.runs.artifacts.queryOptions({ workspace: slug, runId }));
  if (artifacts.isPending) return <p className="text-slate-500">Loading…</p>;
  if (artifacts.isError) return <Alert>{artifacts.error.message}</Alert>;
  if (artifacts.data.artifacts.length === 0) {
    return (
      <EmptyState title="No artifacts">
        A flow publishes reports here with <code className="font-mono text-xs">artifacts.markdown(…)</code>, <code className="font-mono text-xs">artifacts.table(…)</code> or{" "}
        <code className="font-mono text-xs">artifacts.link(…)</code> from the baton SDK.
      </EmptyState>
    );
  }
  return (
    <div className="flex flex-col gap-4">
      {artifacts.data.artifacts.map((a) => (
        <article key={a.id} aria-label={`Artifact ${a.key ?? a.type}`} className="rounded-lg border border-slate-200 bg-white p-4">
          <header className="mb-3 flex flex-wrap items-center gap-2 text-xs text-slate-500">
            <Badge>{a.type}</Badge>
            {a.key && <span className="font-mono text-slate-700">{a.key}</span>}
            <RelativeTime value={a.createdAt} />
            {a.description && <span className="text-slate-600">{a.description}</span>}
          </header>
          <ArtifactBody artifact={a} />
        </article>
      ))}
    </div>
  );
}

function ArtifactBody({ artifact }: { artifact: Artifact }) {
  const data = (artifact.data ?? {}) as Record<string, unknown>;
  if (artifact.type === "markdown") return <SafeMarkdown source={String(data.markdown ?? "")} />;
  if (artifact.type === "link") {
    const url = String(data.url ?? "");
    const ok = /^https?:\/\//i.test(url);
    return ok ? (
      <a href={url} target="_blank" rel="noopener noreferrer nofollow" className="text-sky-700 underline">
        {String(data.title ?? url)}
      </a>
    ) : (
      <span>{url}</span>
    );
  }
  const rows = Array.isArray(data.rows) ? (data.rows as unknown[]) : [];
  const columns: string[] = Array.isArray(data.columns)
    ? (data.columns as string[])
    : [...new Set(rows.flatMap((r) => (r && typeof r === "object" && !Array.isArray(r) ? Object.keys(r) : [])))];
  const cell = (v: unknown) => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
  return (
    <div className="overflow-x-auto">
      <table aria-label={artifact.key ?? "Table artifact"} className="text-left text-sm">
        {columns.length > 0 && (
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c} className="border-b border-slate-300 px-2 py-1 font-semibold">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
        )}
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {(Array.isArray(r) ? r : columns.map((c) => (r as Record<string, unknown>)?.[c])).map((v, j) => (
                <td key={j} className="border-b border-slate-100 px-2 py-1 tabular-nums">
                  {cell(v)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
