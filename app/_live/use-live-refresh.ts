"use client";

import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

/**
 * Event kinds the stream sends (`event: <kind>`, `data: {"ids":[…]}`). For `flow_run` the ids are
 * flow run ids; for `task_run`, `log` and `artifact` they are the ids of the flow runs concerned;
 * for `deployment` (created, changed, paused, resumed, deleted, schedules edited) deployment ids;
 * for `automation` (changed, or one of its deliveries attempted) automation ids.
 * `resync` (no ids) follows a reconnect of the server's listener, when events may have been lost.
 */
export const LIVE_EVENT_KINDS = ["flow_run", "task_run", "log", "artifact", "deployment", "automation", "resync"] as const;
export type LiveEventKind = (typeof LIVE_EVENT_KINDS)[number];

/** At most ~4 refetch rounds per second, however many events arrive: a busy workspace sends hundreds. */
const MIN_INTERVAL_MS = 250;
const REOPEN_MIN_MS = 2_000;
const REOPEN_MAX_MS = 30_000;
/** Navigating unmounts one page's hooks just before the next page's mount: keep the stream meanwhile. */
const LINGER_MS = 1_000;

type Listener = { kinds: Set<string> | null; onEvent: () => void; onStatus: (connected: boolean) => void };
type Connection = {
  listeners: Set<Listener>;
  source: EventSource | null;
  connected: boolean;
  everOpened: boolean;
  reopenDelay: number;
  reopenTimer: ReturnType<typeof setTimeout> | null;
  closeTimer: ReturnType<typeof setTimeout> | null;
};

/**
 * One EventSource per workspace per page, shared by every hook on it: browsers allow only six
 * HTTP/1.1 connections per host, and each stream holds one for as long as the page is open.
 */
const connections = new Map<string, Connection>();

function setConnected(conn: Connection, connected: boolean) {
  conn.connected = connected;
  for (const l of [...conn.listeners]) l.onStatus(connected);
}

function open(slug: string, conn: Connection) {
  conn.reopenTimer = null;
  const es = new EventSource(`/api/w/${encodeURIComponent(slug)}/events`);
  conn.source = es;
  es.onopen = () => {
    setConnected(conn, true);
    conn.reopenDelay = REOPEN_MIN_MS;
    // Whatever happened while disconnected was not sent: refetch once.
    if (conn.everOpened) for (const l of [...conn.listeners]) l.onEvent();
    conn.everOpened = true;
  };
  es.onerror = () => {
    setConnected(conn, false);
    // CONNECTING: the browser retries by itself (after the stream's `retry:` ms). CLOSED: it gave
    // up (an answer other than a 200 event stream: 401, 404, 503, a proxy's error page).
    if (es.readyState === EventSource.CLOSED && conn.source === es) {
      es.close();
      conn.source = null;
      conn.reopenTimer = setTimeout(() => open(slug, conn), conn.reopenDelay);
      conn.reopenDelay = Math.min(conn.reopenDelay * 2, REOPEN_MAX_MS);
    }
  };
  for (const kind of LIVE_EVENT_KINDS) {
    es.addEventListener(kind, () => {
      for (const l of [...conn.listeners]) if (!l.kinds || kind === "resync" || l.kinds.has(kind)) l.onEvent();
    });
  }
}

function subscribe(slug: string, listener: Listener): () => void {
  let conn = connections.get(slug);
  if (!conn) {
    conn = { listeners: new Set(), source: null, connected: false, everOpened: false, reopenDelay: REOPEN_MIN_MS, reopenTimer: null, closeTimer: null };
    connections.set(slug, conn);
    open(slug, conn);
  }
  if (conn.closeTimer) clearTimeout(conn.closeTimer);
  conn.closeTimer = null;
  conn.listeners.add(listener);
  listener.onStatus(conn.connected);
  const c = conn;
  return () => {
    c.listeners.delete(listener);
    if (c.listeners.size > 0 || c.closeTimer) return;
    c.closeTimer = setTimeout(() => {
      if (c.listeners.size > 0) return;
      c.source?.close();
      if (c.reopenTimer) clearTimeout(c.reopenTimer);
      if (connections.get(slug) === c) connections.delete(slug);
    }, LINGER_MS);
  };
}

/** Invalidation is throttled per query client, so several hooks on one page refetch once per event. */
const throttles = new WeakMap<QueryClient, () => void>();

function invalidateThrottled(queryClient: QueryClient) {
  let run = throttles.get(queryClient);
  if (!run) {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const now = () => {
      timer = null;
      last = Date.now();
      void queryClient.invalidateQueries();
    };
    run = () => {
      if (timer) return;
      const wait = last + MIN_INTERVAL_MS - Date.now();
      if (wait <= 0) now();
      else timer = setTimeout(now, wait);
    };
    throttles.set(queryClient, run);
  }
  run();
}

/**
 * Keeps the page's tRPC queries fresh: listens to the workspace's live events
 * (`/api/w/{slug}/events`, see docs/api.md) and, on each event (only those of `opts.kinds` when
 * given; `resync` always), invalidates the react-query cache, which refetches the queries mounted
 * on the page (others are only marked stale), at most ~4 times a second. Invalidating everything
 * is deliberate: events carry only ids, a page has a handful of queries, and knowing which query
 * shows which run would couple this hook to every router.
 *
 * EventSource reconnects by itself after a dropped connection; after an answer it cannot use it
 * gives up, so the stream is reopened here with backoff (2 s doubling to 30 s). Every
 * reconnection refetches too, since events sent meanwhile were missed. `connected` is true while
 * the stream is open (for a "Live" indicator).
 */
export function useLiveRefresh(slug: string, opts?: { kinds?: string[] }): { connected: boolean } {
  const queryClient = useQueryClient();
  const [connected, setConnectedState] = useState(false);
  // A stable dependency even when the caller passes a new array literal on every render.
  const kindsKey = opts?.kinds ? [...opts.kinds].sort().join(",") : "*";

  useEffect(() => {
    if (!slug || typeof EventSource === "undefined") return;
    const kinds = kindsKey === "*" ? null : new Set(kindsKey.split(",").filter(Boolean));
    return subscribe(slug, { kinds, onEvent: () => invalidateThrottled(queryClient), onStatus: setConnectedState });
  }, [slug, kindsKey, queryClient]);

  return { connected };
}
