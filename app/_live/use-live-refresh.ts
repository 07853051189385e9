"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

/**
 * Event kinds the stream sends (`event: <kind>`, `data: {"ids":[…]}`). For `flow_run` the ids are
 * flow run ids; for `task_run`, `log` and `artifact` they are the ids of the flow runs concerned;
 * for `deployment` (created, changed, paused, resumed, deleted, schedules edited) deployment ids.
 * `resync` (no ids) follows a reconnect of the server's listener, when events may have been lost.
 */
export const LIVE_EVENT_KINDS = ["flow_run", "task_run", "log", "artifact", "deployment", "resync"] as const;
export type LiveEventKind = (typeof LIVE_EVENT_KINDS)[number];

/** At most ~4 refetch rounds per second, however many events arrive: a busy workspace sends hundreds. */
const MIN_INTERVAL_MS = 250;
const REOPEN_MIN_MS = 2_000;
const REOPEN_MAX_MS = 30_000;

/**
 * Keeps the page's tRPC queries fresh: listens to the workspace's live events
 * (`/api/w/{slug}/events`) and, on each event (only those of `opts.kinds` when given), invalidates
 * the react-query cache, which refetches the queries mounted on the page (others are just marked
 * stale). Invalidating everything is deliberate: events carry only ids, a page has a handful of
 * queries, and knowing which query shows which run would couple this hook to every router.
 *
 * EventSource reconnects by itself after a dropped connection; after an answer it cannot use
 * (401, 404, 503, a proxy error) it gives up, so we reopen it ourselves with backoff. Every
 * (re)connection after the first one invalidates too: events sent meanwhile were missed.
 */
export function useLiveRefresh(slug: string, opts?: { kinds?: string[] }): { connected: boolean } {
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState(false);
  // A stable dependency even when the caller passes a new array literal on every render.
  const kindsKey = opts?.kinds ? [...opts.kinds].sort().join(",") : "*";

  useEffect(() => {
    if (!slug || typeof EventSource === "undefined") return;
    const wanted = kindsKey === "*" ? null : new Set(kindsKey.split(",").filter(Boolean));
    const kinds = wanted ? [...new Set([...wanted, "resync"])] : [...LIVE_EVENT_KINDS];
    let source: EventSource | null = null;
    let reopenTimer: ReturnType<typeof setTimeout> | null = null;
    let throttleTimer: ReturnType<typeof setTimeout> | null = null;
    let lastRun = 0;
    let reopenDelay = REOPEN_MIN_MS;
    let everOpened = false;
    let disposed = false;

    const invalidateNow = () => {
      throttleTimer = null;
      lastRun = Date.now();
      void queryClient.invalidateQueries();
    };
    const invalidate = () => {
      if (disposed || throttleTimer) return;
      const wait = lastRun + MIN_INTERVAL_MS - Date.now();
      if (wait <= 0) invalidateNow();
      else throttleTimer = setTimeout(invalidateNow, wait);
    };

    const open = () => {
      reopenTimer = null;
      const es = new EventSource(`/api/w/${encodeURIComponent(slug)}/events`);
      source = es;
      es.onopen = () => {
        setConnected(true);
        reopenDelay = REOPEN_MIN_MS;
        if (everOpened) invalidate();
        everOpened = true;
      };
      es.onerror = () => {
        setConnected(false);
        // CONNECTING: the browser retries by itself (after `retry:` ms). CLOSED: it gave up.
        if (es.readyState === EventSource.CLOSED && !disposed) {
          es.close();
          reopenTimer = setTimeout(open, reopenDelay);
          reopenDelay = Math.min(reopenDelay * 2, REOPEN_MAX_MS);
        }
      };
      for (const kind of kinds) es.addEventListener(kind, invalidate);
    };
    open();

    return () => {
      disposed = true;
      source?.close();
      if (reopenTimer) clearTimeout(reopenTimer);
      if (throttleTimer) clearTimeout(throttleTimer);
      setConnected(false);
    };
  }, [slug, kindsKey, queryClient]);

  return { connected };
}
