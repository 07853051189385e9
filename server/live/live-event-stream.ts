import "server-only";
import type { Db } from "../db/client";
import { env } from "../env";
import { AppError } from "../errors";
import type { RequestSession } from "../auth/request-session";
import { activeSessionUser } from "../auth/user-sessions";
import { isWorkspaceMember, resolveWorkspaceAccess } from "../workspaces/workspace-access";
import { getEventHub } from "./event-hub";

export const HEARTBEAT_MS = 15_000;
/** How long a browser waits before reconnecting after the stream drops (EventSource `retry:`). */
export const RETRY_MS = 2_000;
/**
 * Frames queued for a client that stopped reading (a frozen tab, a stalled proxy). Past this the
 * stream is closed rather than grown without bound: the browser reconnects and refetches.
 */
const MAX_QUEUED_FRAMES = 1_000;

function hub() {
  return getEventHub(() => {
    const url = env().DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set");
    return url;
  });
}

/**
 * The Server-Sent Events stream of one workspace for a signed-in member (any role: everyone who
 * may see the runs may see that they changed). Authorised like tRPC's workspaceProcedure: the
 * session from the cookie, the workspace from the slug and the membership; a workspace the user
 * is not a member of is a 404, as everywhere.
 *
 * Events carry only kinds and ids, never data: the browser refetches through tRPC, which applies
 * the usual authorisation, so the stream cannot leak anything a query would not show.
 *
 * Access is checked again whenever the hub hears that the workspace's members or the user's
 * sessions changed: a removed member's or a signed-out browser's stream closes. Events arriving
 * while a check runs are held back until it passed, so none slips out after access was lost.
 */
export async function openLiveEventStream(opts: {
  db: Db;
  session: RequestSession | null;
  slug: string;
  signal: AbortSignal;
}): Promise<ReadableStream<Uint8Array>> {
  const session = opts.session;
  if (!session) throw new AppError("UNAUTHORIZED", "Sign in to continue.");
  if (opts.slug.length === 0 || opts.slug.length > 64) throw new AppError("NOT_FOUND", `Workspace "${opts.slug}" not found.`);
  const { workspace } = await resolveWorkspaceAccess(opts.db, opts.slug, session.userId);
  const stillAllowed = async () =>
    (await activeSessionUser(opts.db, session.sessionId)) === session.userId && (await isWorkspaceMember(opts.db, workspace.id, session.userId));
  const live = hub();
  // Subscribe only once LISTEN is in place, so an event committed right after the stream opened is
  // not missed (a failed connect is retried by the hub; the stream still opens and heartbeats).
  await live.ready();

  const encoder = new TextEncoder();
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const send = (text: string) => {
        if (closed) return;
        if ((controller.desiredSize ?? 0) < -MAX_QUEUED_FRAMES) return cleanup();
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      let checking = 0;
      let held: string[] = [];
      const deliver = (text: string) => {
        if (checking === 0) return send(text);
        if (held.length >= MAX_QUEUED_FRAMES) return cleanup();
        held.push(text);
      };
      const recheck = () => {
        checking++;
        stillAllowed()
          .catch(() => false) // fail closed: the browser reconnects and is authorised afresh
          .then((ok) => {
            checking--;
            if (!ok) return cleanup();
            if (checking > 0) return;
            const frames = held;
            held = [];
            for (const text of frames) send(text);
          });
      };
      const unsubscribe = live.subscribe(
        workspace.id,
        ({ kind, ids }) => deliver(`event: ${kind}\ndata: ${JSON.stringify({ ids })}\n\n`),
        { userId: session.userId, recheck },
      );
      // Proxies and load balancers close connections idle for 30–60 s; a comment line keeps it open.
      const heartbeat = setInterval(() => send(": ping\n\n"), HEARTBEAT_MS);
      cleanup = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
        opts.signal.removeEventListener("abort", cleanup);
        try {
          controller.close();
        } catch {
          // already closed or errored by the consumer
        }
      };
      opts.signal.addEventListener("abort", cleanup);
      if (opts.signal.aborted) return cleanup();
      send(`retry: ${RETRY_MS}\n: connected\n\n`);
    },
    cancel() {
      cleanup();
    },
  });
}

/** Streams currently open in this module instance (diagnostics and tests). */
export function liveSubscriberCount(): number {
  return hub().subscriberCount();
}
