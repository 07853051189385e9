import pg from "pg";

export type LoopSpec = {
  name: string;
  lockKey: number;
  intervalMs: number;
  task: () => Promise<void>;
  /** A NOTIFY channel that runs the loop at once on the instance that leads it (the interval stays as the backstop). */
  wakeOn?: string;
};

/** How often an instance that leads nothing tries to take over a loop. */
const TAKEOVER_CHECK_MS = 2_000;

/**
 * Runs each loop on exactly one instance at a time: a loop ticks only while this process holds
 * its session advisory lock on a dedicated connection. Instances that do not hold a lock try for
 * it every 2 s, so when the leader dies (its connection drops and Postgres releases the lock)
 * another instance takes over within seconds, whatever the loop's own interval.
 */
export function startLeaderLoops(databaseUrl: string, loops: LoopSpec[]) {
  let client: pg.Client | null = null;
  let connecting: Promise<pg.Client | null> | null = null;
  const held = new Set<number>();
  const timers: NodeJS.Timeout[] = [];
  const kicks = new Map<string, () => void>();
  const starts: (() => Promise<void>)[] = [];
  let stopped = false;

  async function lockClient(): Promise<pg.Client | null> {
    if (client) return client;
    connecting ??= (async () => {
      const c = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000, application_name: `baton-services:${process.pid}` });
      const lost = () => {
        held.clear();
        if (client === c) client = null;
      };
      c.on("error", lost);
      c.on("end", lost);
      c.on("notification", (n) => kicks.get(n.channel)?.());
      try {
        await c.connect();
        for (const channel of kicks.keys()) await c.query(`listen ${channel}`);
        client = c;
        return c;
      } catch {
        return null;
      } finally {
        connecting = null;
      }
    })();
    return connecting;
  }

  // Loops share one connection; its queries must not overlap (pg 9 will refuse that).
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  async function tryLead(loop: LoopSpec): Promise<boolean> {
    if (held.has(loop.lockKey)) return true;
    return serially(async () => {
      const c = await lockClient();
      if (!c) return false;
      const { rows } = await c.query("select pg_try_advisory_lock($1) as ok", [loop.lockKey]);
      if (rows[0].ok) held.add(loop.lockKey);
      return Boolean(rows[0].ok);
    });
  }

  for (const loop of loops) {
    let running = false;
    let kicked = false;
    let lastRun = 0;
    const tick = async () => {
      if (running || stopped) return;
      running = true;
      try {
        if ((await tryLead(loop)) && (kicked || Date.now() - lastRun >= loop.intervalMs)) {
          kicked = false;
          lastRun = Date.now();
          await loop.task();
        }
      } catch (err) {
        console.error(`[services] ${loop.name}: ${(err as Error).message}`);
      } finally {
        running = false;
      }
      // A wake-up that came in while the task ran is served now, not at the next interval.
      if (kicked && held.has(loop.lockKey) && !stopped) void tick();
    };
    if (loop.wakeOn) {
      kicks.set(loop.wakeOn, () => {
        kicked = true;
        void tick();
      });
    }
    starts.push(tick);
    timers.push(setInterval(tick, Math.min(loop.intervalMs, TAKEOVER_CHECK_MS)));
  }
  // First ticks after every loop's wake-up channel is known, so the first connection listens to all.
  for (const start of starts) void start();

  return {
    isLeader: (lockKey: number) => held.has(lockKey),
    async stop() {
      stopped = true;
      timers.forEach(clearInterval);
      await client?.end().catch(() => undefined);
    },
  };
}
