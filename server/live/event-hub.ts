import pg from "pg";
import { AUTH_CHANNEL } from "../api-keys/key-cache";
import { SESSIONS_CHANNEL } from "../auth/user-sessions";

export const EVENTS_CHANNEL = "baton_events";

/**
 * What producers `pg_notify('baton_events', …)`: the workspace id, a kind and the ids concerned.
 * For `flow_run` the ids are flow run ids; for `task_run`, `log` and `artifact` they are the ids of
 * the flow runs whose task runs, logs or artifacts changed (what a page needs to refetch).
 */
export type LiveEvent = { w: string; kind: string; ids: string[] };
export type LiveSubscriber = (event: { kind: string; ids: string[] }) => void;
/**
 * Whose stream a subscriber is, and what to do when that may have stopped being allowed: members
 * and keys of a workspace change with NOTIFY baton_auth (payload: the workspace id), sessions are
 * revoked with NOTIFY baton_sessions (payload: the user id).
 */
export type AccessWatch = { userId: string; recheck: () => void };
type Subscription = { deliver: LiveSubscriber; access?: AccessWatch };

/**
 * Sent to every subscriber after the LISTEN connection came back: notifications sent while it was
 * down are lost, so browsers refetch everything rather than show stale state.
 */
export const RESYNC_KIND = "resync";

const KIND = /^[a-z][a-z_]{0,31}$/;

/**
 * One LISTEN connection per module instance (in practice: per app instance, inside Next's bundle),
 * fanning `baton_events` out to the browsers of each workspace. It connects lazily on the first
 * subscriber and then stays connected (reconnecting after errors), so any number of browsers
 * coming and going cost one connection. Subscribers are sets per workspace, so an event is
 * delivered to its own workspace's streams only and costs nothing for the others. The same
 * connection hears member and session changes, so a stream whose reader lost access closes at once.
 */
export class EventHub {
  private readonly subscribers = new Map<string, Set<Subscription>>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private connectedOnce = false;
  private stopped = false;

  constructor(private readonly databaseUrl: () => string) {}

  /** Adds a subscriber of the workspace; returns its removal (idempotent). */
  subscribe(workspaceId: string, fn: LiveSubscriber, access?: AccessWatch): () => void {
    let set = this.subscribers.get(workspaceId);
    if (!set) this.subscribers.set(workspaceId, (set = new Set()));
    const sub: Subscription = { deliver: fn, access };
    set.add(sub);
    this.ensureConnected();
    return () => {
      const current = this.subscribers.get(workspaceId);
      if (!current) return;
      current.delete(sub);
      if (current.size === 0) this.subscribers.delete(workspaceId);
    };
  }

  subscriberCount(): number {
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }

  /** Resolves once the LISTEN is in place (or failed; a reconnect is then scheduled). */
  ready(): Promise<void> {
    this.ensureConnected();
    return this.connecting ?? Promise.resolve();
  }

  private ensureConnected() {
    if (this.stopped || this.client || this.connecting || this.reconnectTimer) return;
    this.connecting = this.connect()
      .catch((err) => {
        console.error(`[live] LISTEN ${EVENTS_CHANNEL} failed: ${(err as Error).message}; retrying in 1 s`);
        this.scheduleReconnect();
      })
      .finally(() => (this.connecting = null));
  }

  private async connect() {
    const client = new pg.Client({
      connectionString: this.databaseUrl(),
      connectionTimeoutMillis: 3000,
      keepAlive: true,
      application_name: "baton-live-events",
    });
    // Next's process handlers only log uncaught errors: without these a dropped connection would go
    // unnoticed and every browser would silently stop receiving events.
    client.on("error", () => this.drop(client));
    client.on("end", () => this.drop(client));
    client.on("notification", (n) => {
      if (!n.payload) return;
      if (n.channel === EVENTS_CHANNEL) this.dispatch(n.payload);
      else if (n.channel === AUTH_CHANNEL) this.recheck((sub, w) => w === n.payload);
      else if (n.channel === SESSIONS_CHANNEL) this.recheck((sub) => sub.access?.userId === n.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${EVENTS_CHANNEL}; listen ${AUTH_CHANNEL}; listen ${SESSIONS_CHANNEL}`);
    } catch (err) {
      client.removeAllListeners("end");
      client.on("error", () => undefined);
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (this.connectedOnce) this.broadcastResync();
    this.connectedOnce = true;
  }

  private dispatch(payload: string) {
    let event: LiveEvent;
    try {
      event = JSON.parse(payload) as LiveEvent;
    } catch {
      return;
    }
    if (typeof event?.w !== "string" || typeof event.kind !== "string" || !KIND.test(event.kind)) return;
    const set = this.subscribers.get(event.w);
    if (!set) return;
    const ids = Array.isArray(event.ids) ? event.ids.filter((id): id is string => typeof id === "string") : [];
    for (const sub of [...set]) sub.deliver({ kind: event.kind, ids });
  }

  private recheck(match: (sub: Subscription, workspaceId: string) => boolean) {
    for (const [workspaceId, set] of this.subscribers) for (const sub of [...set]) if (match(sub, workspaceId)) sub.access?.recheck();
  }

  private broadcastResync() {
    // Member and session changes may have been missed too: every stream checks its access again.
    this.recheck(() => true);
    for (const set of this.subscribers.values()) for (const sub of [...set]) sub.deliver({ kind: RESYNC_KIND, ids: [] });
  }

  private drop(client: pg.Client) {
    if (this.client !== client) return;
    this.client = null;
    this.scheduleReconnect();
  }

  private scheduleReconnect() {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.ensureConnected();
    }, 1000);
    this.reconnectTimer.unref();
  }

  async stop() {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}

const globalForHub = globalThis as unknown as { __batonEventHub?: EventHub };

/**
 * The process-wide hub, on globalThis: dev hot reload and a second copy of this module (Next
 * bundles route handlers separately from the custom server) must not open a second LISTEN.
 */
export function getEventHub(databaseUrl: () => string): EventHub {
  globalForHub.__batonEventHub ??= new EventHub(databaseUrl);
  return globalForHub.__batonEventHub;
}
