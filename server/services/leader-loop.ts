import pg from "pg";

export type LoopSpec = { name: string; lockKey: number; intervalMs: number; task: () => Promise<void> };

/**
 * Runs each loop on exactly one instance at a time: a loop ticks only while this process holds
 * its session advisory lock on a dedicated connection. If that connection dies, Postgres releases
 * the locks and another instance takes over on its next tick.
 */
export function startLeaderLoops(databaseUrl: string, loops: LoopSpec[]) {
  let client: pg.Client | null = null;
  let connecting: Promise<pg.Client | null> | null = null;
  const held = new Set<number>();
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;

  async function lockClient(): Promise<pg.Client | null> {
    if (client) return client;
    connecting ??= (async () => {
      const c = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
      c.on("error", () => {
        held.clear();
        if (client === c) client = null;
      });
      c.on("end", () => {
        held.clear();
        if (client === c) client = null;
      });
      try {
        await c.connect();
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

  async function tick(loop: LoopSpec) {
    if (stopped) return;
    try {
      if (!held.has(loop.lockKey)) {
        const c = await lockClient();
        if (!c) return;
        const { rows } = await c.query("select pg_try_advisory_lock($1) as ok", [loop.lockKey]);
        if (!rows[0].ok) return;
        held.add(loop.lockKey);
      }
      await loop.task();
    } catch (err) {
      console.error(`[services] ${loop.name}: ${(err as Error).message}`);
    }
  }

  for (const loop of loops) {
    let running = false;
    const run = async () => {
      if (running) return;
      running = true;
      await tick(loop);
      running = false;
    };
    void run();
    timers.push(setInterval(run, loop.intervalMs));
  }

  return {
    isLeader: (lockKey: number) => held.has(lockKey),
    async stop() {
      stopped = true;
      timers.forEach(clearInterval);
      await client?.end().catch(() => undefined);
    },
  };
}
