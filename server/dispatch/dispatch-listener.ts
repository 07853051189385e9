import pg from "pg";
import { AUTH_CHANNEL, forgetAllKeys, forgetWorkspaceKeys } from "../api-keys/key-cache";

export const DISPATCH_CHANNEL = "baton_dispatch";

type Waiter = { woken: boolean; wake: () => void };

/**
 * One LISTEN connection per app instance, and the long-polling claims waiting on it. It also
 * hears key and member changes of other instances (baton_auth) and drops cached keys.
 *
 * A notification or a due-time timer wakes ONE waiter of the pool, not all of them: a run that
 * becomes due is claimed by one agent without seven others racing it for nothing. A claim that
 * got runs wakes the next waiter (there may be more), so a burst still reaches every agent.
 * Waiters register *before* checking the database, so a NOTIFY landing between check and wait
 * is not lost. After a reconnect every waiter is woken: notifications sent meanwhile are gone.
 */
export class DispatchListener {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private client: pg.Client | null = null;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(private readonly databaseUrl: string) {}

  async start(): Promise<void> {
    await this.connect().catch(() => this.scheduleReconnect());
  }

  private async connect() {
    const client = new pg.Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 3000, keepAlive: true, application_name: "baton-dispatch-listener" });
    client.on("error", () => this.drop(client));
    client.on("end", () => this.drop(client));
    client.on("notification", (n) => {
      if (n.channel === DISPATCH_CHANNEL && n.payload) this.wakeOne(n.payload);
      if (n.channel === AUTH_CHANNEL && n.payload) forgetWorkspaceKeys(n.payload);
    });
    await client.connect();
    await client.query(`listen ${DISPATCH_CHANNEL}; listen ${AUTH_CHANNEL}`);
    this.client = client;
    // Notifications sent while disconnected are lost: wake every waiter, forget every cached key.
    forgetAllKeys();
    this.wakeAll();
  }

  private drop(client: pg.Client) {
    if (this.client !== client) return;
    this.client = null;
    forgetAllKeys();
    this.wakeAll();
    this.scheduleReconnect();
  }

  private scheduleReconnect() {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().catch(() => this.scheduleReconnect());
    }, 1000);
  }

  private wakeAll() {
    for (const set of this.waiters.values()) for (const w of [...set]) w.wake();
  }

  /** Wakes the longest-waiting waiter of the pool, if any. */
  wakeOne(poolId: string) {
    const set = this.waiters.get(poolId);
    const first = set?.values().next().value;
    first?.wake();
  }

  /** Wakes one waiter of the pool at `at` (epoch ms): the earliest scheduled run's due time. */
  wakeAt(poolId: string, at: number) {
    const existing = this.timers.get(poolId);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    // A timer may fire a little early (libuv counts from its cached loop time): not before `at`.
    const arm = () => this.timers.set(poolId, { at, timer: setTimeout(fire, Math.max(0, at - Date.now())) });
    const fire = () => {
      if (at > Date.now()) return arm();
      this.timers.delete(poolId);
      this.wakeOne(poolId);
    };
    arm();
  }

  /** Call before checking for work; then `wait(ms)` resolves when woken or after `ms`. */
  register(poolId: string) {
    let set = this.waiters.get(poolId);
    if (!set) this.waiters.set(poolId, (set = new Set()));
    let resolve: (() => void) | null = null;
    const waiter: Waiter = {
      woken: false,
      wake: () => {
        waiter.woken = true;
        set.delete(waiter);
        resolve?.();
      },
    };
    set.add(waiter);
    const cancel = () => {
      set.delete(waiter);
      if (set.size === 0 && this.waiters.get(poolId) === set) this.waiters.delete(poolId);
    };
    return {
      cancel,
      wait: (ms: number, signal?: AbortSignal) =>
        new Promise<void>((r) => {
          if (waiter.woken || ms <= 0 || signal?.aborted) {
            cancel();
            return r();
          }
          const timer = setTimeout(done, ms);
          function done() {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            cancel();
            r();
          }
          resolve = done;
          signal?.addEventListener("abort", done);
        }),
    };
  }

  async stop() {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.wakeAll();
    await this.client?.end().catch(() => undefined);
  }
}
