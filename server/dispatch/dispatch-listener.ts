import { EventEmitter } from "node:events";
import pg from "pg";

export const DISPATCH_CHANNEL = "baton_dispatch";

/**
 * One LISTEN connection per app instance. Long-polling claims register a waiter for their pool
 * *before* checking the database (a NOTIFY landing between check and wait is not lost), then
 * wait for a notification, a timer, or their deadline. After a reconnect every waiter is woken,
 * since notifications sent while disconnected are gone.
 */
export class DispatchListener {
  private readonly emitter = new EventEmitter();
  private client: pg.Client | null = null;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(private readonly databaseUrl: string) {
    this.emitter.setMaxListeners(0);
  }

  async start(): Promise<void> {
    await this.connect().catch(() => this.scheduleReconnect());
  }

  private async connect() {
    const client = new pg.Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 3000, keepAlive: true });
    client.on("error", () => this.drop(client));
    client.on("end", () => this.drop(client));
    client.on("notification", (n) => {
      if (n.channel === DISPATCH_CHANNEL && n.payload) this.emitter.emit(n.payload);
    });
    await client.connect();
    await client.query(`listen ${DISPATCH_CHANNEL}`);
    this.client = client;
    this.wakeAll();
  }

  private drop(client: pg.Client) {
    if (this.client !== client) return;
    this.client = null;
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
    for (const name of this.emitter.eventNames()) this.emitter.emit(name);
  }

  /** Call before checking for work; then `wait(ms)` resolves on a notification for the pool or after `ms`. */
  register(poolId: string) {
    let woken = false;
    let resolve: (() => void) | null = null;
    const onWake = () => {
      woken = true;
      resolve?.();
    };
    this.emitter.on(poolId, onWake);
    const cancel = () => this.emitter.off(poolId, onWake);
    return {
      cancel,
      wait: (ms: number, signal?: AbortSignal) =>
        new Promise<void>((r) => {
          if (woken || ms <= 0 || signal?.aborted) {
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
    this.wakeAll();
    await this.client?.end().catch(() => undefined);
  }
}
