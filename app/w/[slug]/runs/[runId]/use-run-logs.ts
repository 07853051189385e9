"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_trpc/provider";
import type { LogLine } from "../_components/router-outputs";

/**
 * All of a run's log lines, tailed: each page is asked for after the last cursor, so when live
 * events invalidate the query only new lines come back. While the run is going it also polls
 * every few seconds, in case the live stream is down.
 */
export function useRunLogs(slug: string, runId: string, finished: boolean) {
  const trpc = useTRPC();
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [lines, setLines] = useState<LogLine[]>([]);
  const page = useQuery(
    trpc.runs.logs.queryOptions({ workspace: slug, runId, after: cursor, limit: 1000 }, { refetchInterval: finished ? false : 3_000, staleTime: 0 }),
  );
  // Each page is folded in once, during render (React's pattern for state derived from new data).
  const [folded, setFolded] = useState<typeof page.data>(undefined);
  const data = page.data;
  if (data && data !== folded) {
    setFolded(data);
    const seen = new Set(lines.map((l) => `${l.attempt}:${l.seq}`));
    const fresh = data.logs.filter((l) => !seen.has(`${l.attempt}:${l.seq}`));
    if (fresh.length) setLines([...lines, ...fresh]);
    if (data.nextCursor && data.nextCursor !== cursor) setCursor(data.nextCursor);
  }
  return { lines, error: page.error, loading: page.isPending && lines.length === 0 };
}
