import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { FENCE_MARGIN_SECONDS, KILL_GRACE_SECONDS, LEASE_SECONDS } from "../../agent/protocol/leases";
import { createApiKey } from "../../server/api-keys/manage-api-keys";
import { createDb } from "../../server/db/client";
import { users } from "../../server/db/schema";
import { createWorkspace } from "../../server/workspaces/create-workspace";
import { ChaosAgent } from "./agents";
import { AppControl } from "./app-control";
import { FAULT_KINDS, injectFault, planFaults, type ChaosWorld, type FaultKind, type FaultRecord } from "./faults";
import { crashDetection, retryPickup, runCounts, type Figures } from "./figures";
import { healthyRunsSurviveOutages, logLinesStoredOnce, noDuplicateRuns, noOverlappingAttempts, nothingStuck, type Evidence } from "./invariants";
import { busyAgents, readJournal, readViolations } from "./journal";
import { PostgresControl } from "./postgres-control";
import { createRng, randomSeed } from "./prng";
import { apiClient, createDeployments, LONG_RUN_SECONDS, SCHEDULE_INTERVAL_SECONDS, Workload, writeAttemptScript } from "./workload";

export type ChaosOptions = {
  seed?: number;
  agents?: number;
  /** Run slots per agent. */
  slots?: number;
  /** Stop after this many faults… */
  faults?: number;
  /** …or once the fault phase has lasted this long (whichever comes first). */
  durationMs?: number;
  /** Narrower duration ranges per fault kind (the short suite's). */
  faultSeconds?: Partial<Record<FaultKind, [number, number]>>;
  gapSeconds?: [number, number];
  /** Share of burst runs that take LONG_RUN_SECONDS instead of 1.5–3 s (long ones are what a lost lease overlaps). */
  longRunShare?: number;
  log?: (line: string) => void;
};

/** One lease as the retry sees it: the lease, the kill grace, the margin (agent/protocol/leases.ts). */
const FENCED_LEASE_MS = (LEASE_SECONDS + KILL_GRACE_SECONDS + FENCE_MARGIN_SECONDS) * 1000;
const LONGEST_RUN_MS = LONG_RUN_SECONDS * 1000;
/** How long things get to settle once the faults stop: a lost lease, its retry and a long run, three times over. */
const SETTLE_MS = 3 * (FENCED_LEASE_MS + LONGEST_RUN_MS);
const DUE_GRACE_SECONDS = 10;
const MAX_SETTLE_MS = 10 * 60_000;

/**
 * A whole chaos run on real processes: its own Postgres, the built server with its background
 * services, agents behind cuttable proxies, a workload, then faults from a seeded schedule, one
 * after another; then it lets things settle and checks every invariant. Returns the figures
 * (invariant results included); throws only when the harness itself could not run.
 */
export async function runChaos(opts: ChaosOptions = {}): Promise<Figures & { dir: string }> {
  const seed = opts.seed ?? randomSeed();
  const t0 = Date.now();
  const log = (line: string) => (opts.log ?? console.log)(`[chaos +${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}`);
  log(`seed ${seed} (repeat with --seed ${seed})`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baton-chaos-"));
  fs.chmodSync(dir, 0o755);
  writeAttemptScript(dir);

  const pgc = new PostgresControl(path.join(dir, "pg"));
  let app: AppControl | null = null;
  const agents: ChaosAgent[] = [];
  try {
    await pgc.start();
    const { workspaceId, ownerKey, agentKey } = await createTenant(pgc.url);
    app = new AppControl({ DATABASE_URL: pgc.url, AUTH_SECRET: process.env.AUTH_SECRET ?? "chaos-secret-chaos-secret-chaos-secret-0123" });
    await app.start();
    const api = apiClient(() => app!.url, ownerKey);
    const { burstId } = await createDeployments(api);
    for (let i = 1; i <= (opts.agents ?? 4); i++) agents.push(new ChaosAgent(`a${i}`, { serverPort: app.port, key: agentKey, chaosDir: dir, slots: opts.slots ?? 3 }));
    for (const a of agents) await a.start();
    log(`server on ${app.port}, ${agents.length} agents behind proxies ${agents.map((a) => a.proxy.port).join(", ")}, data in ${dir}`);

    const world: ChaosWorld = { app, pg: pgc, agents, ownerKey, log };
    const rng = createRng(seed);
    const workload = new Workload(api, createRng(seed + 1), { deploymentId: burstId, seed, longRunShare: opts.longRunShare ?? 0.3 });
    const faults = await faultPhase(world, workload, rng, createRng(seed + 2), dir, opts);

    log(`faults over (${faults.length}); settling (${SETTLE_MS / 1000} s, longer while runs keep finishing)`);
    await workload.drained();
    const db = new pg.Client({ connectionString: pgc.url });
    db.on("error", () => undefined);
    await db.connect();
    try {
      const evidence = (): Evidence => ({
        db,
        workspaceId,
        journal: readJournal(dir),
        violations: readViolations(dir),
        faults,
        keys: workload.keys,
        scheduleIntervalSeconds: SCHEDULE_INTERVAL_SECONDS,
        dueGraceSeconds: DUE_GRACE_SECONDS,
        activeGraceSeconds: (FENCED_LEASE_MS + LONGEST_RUN_MS) / 1000,
      });
      // Settled: every burst run, and every schedule slot before now, is terminal (or the deadline
      // passed: invariant 4 says which are not). Later slots keep coming; they need not wait.
      const settleStart = new Date();
      const settleDeadline = Date.now() + SETTLE_MS;
      const unsettled = async () =>
        (
          await db.query(
            `select 1 from flow_runs where workspace_id = $1 and created_at < $2 and (schedule_id is null or slot_time < $2)
                and state_type not in ('COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED') limit 1`,
            [workspaceId, settleStart],
          )
        ).rowCount;
      // A backlog after long outages is not stuck: the deadline moves while runs keep finishing.
      let finished = -1;
      for (let deadline = settleDeadline; (await unsettled()) && Date.now() < Math.min(deadline, settleStart.getTime() + MAX_SETTLE_MS); ) {
        const now = await terminalCount(db, workspaceId);
        if (now > finished) [finished, deadline] = [now, Math.max(deadline, Date.now() + SETTLE_MS / 2)];
        await new Promise((r) => setTimeout(r, 500));
      }
      log("checking invariants");
      const e = evidence();
      const overlap = noOverlappingAttempts(e);
      const invariants = [overlap, await logLinesStoredOnce(e), await noDuplicateRuns(e), await nothingStuck(e), await healthyRunsSurviveOutages(e)];
      const byKind: Partial<Record<FaultKind, number>> = {};
      for (const f of faults) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
      const recovery = (kind: FaultKind) => faults.filter((f) => f.kind === kind && f.recoveryMs !== undefined).map((f) => f.recoveryMs!);
      return {
        seed,
        dir,
        loadAverage: os.loadavg()[0],
        runs: await runCounts(db, workspaceId),
        faults: byKind,
        crashDetection: await crashDetection(db, e.journal, faults),
        recovery: { serverHealthyMs: recovery("server-kill"), postgresApiOkMs: recovery("postgres-kill") },
        retryPickup: await retryPickup(db, workspaceId),
        worstOverlapMs: overlap.worstOverlapMs,
        invariants,
      };
    } finally {
      await db.end();
    }
  } finally {
    for (const a of agents) await a.stop().catch(() => undefined);
    await app?.stop();
    await pgc.stop();
    log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s; journal, agent logs and the server's output kept in ${dir}`);
    if (app) fs.writeFileSync(path.join(dir, "server.log"), app.log());
  }
}

/** Faults one after another while the workload runs (bursts every 3–6 s), until the count or the time is reached. */
async function faultPhase(world: ChaosWorld, workload: Workload, rng: ReturnType<typeof createRng>, workRng: ReturnType<typeof createRng>, dir: string, opts: ChaosOptions) {
  const count = opts.faults ?? (opts.durationMs ? Number.MAX_SAFE_INTEGER : FAULT_KINDS.length);
  const started = Date.now();
  const over = () => Date.now() - started >= (opts.durationMs ?? Infinity);
  let running = true;
  const bursts = (async () => {
    while (running) {
      workload.burst(workRng.int(3, 8));
      await new Promise((r) => setTimeout(r, workRng.between(3000, 6000)));
    }
  })();
  const faults: FaultRecord[] = [];
  try {
    for (const planned of planFaults(rng, { count: Math.min(count, 10_000), gapSeconds: opts.gapSeconds ?? [3, 8], seconds: opts.faultSeconds })) {
      if (over()) break;
      await new Promise((r) => setTimeout(r, planned.gapMs));
      faults.push(await injectFault(world, planned, () => busyAgents(dir)));
    }
    // One more burst after the last fault, so runs are created and finish on the recovered system too.
    await new Promise((r) => setTimeout(r, 3000));
  } finally {
    running = false;
    await bursts;
  }
  return faults;
}

async function terminalCount(db: pg.Client, workspaceId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from flow_runs where workspace_id = $1 and state_type in ('COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED')`,
    [workspaceId],
  );
  return rows[0].n;
}

async function createTenant(url: string) {
  const db = createDb(url, 2);
  try {
    const [user] = await db.insert(users).values({ email: "chaos@example.com" }).returning();
    const actor = { userId: user.id, label: user.email, role: "owner" as const };
    const ws = await createWorkspace(db, actor, { name: "Chaos" });
    const { key: ownerKey } = await createApiKey(db, ws.id, actor, { name: "chaos", role: "owner" });
    const { key: agentKey } = await createApiKey(db, ws.id, actor, { name: "chaos-agents", role: "agent" });
    return { workspaceId: ws.id, ownerKey, agentKey };
  } finally {
    await db.$client.end();
  }
}
