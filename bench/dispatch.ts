/**
 * npm run bench:dispatch — dispatch latency and throughput of Baton against graphile-worker,
 * on the same Postgres, in the same run. Prints a table; not part of `npm test`.
 * BENCH_ONLY=latency stops after the latency phase (a quick check of the dispatch path).
 */
import os from "node:os";
import { randomUUID } from "node:crypto";
import { Logger, makeWorkerUtils, run as runGraphile } from "graphile-worker";
import { createApiKey } from "../server/api-keys/manage-api-keys";
import { StateReporter } from "../agent/agent/state-reporter";
import { ApiClient } from "../agent/client/api-client";
import { users } from "../server/db/schema";
import { createWorkspace } from "../server/workspaces/create-workspace";
import { percentile, startBenchEnvironment } from "./bench-env";

const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 2_000);
const AGENTS = 8;
const SLOTS = Number(process.env.BENCH_SLOTS ?? 16);
/** BENCH_ENV=refs: every deployment's env references a secret and a variable, resolved at each claim (docs/secrets.md). */
const ENV_REFS = process.env.BENCH_ENV === "refs";

const env = await startBenchEnvironment();
const { base, db } = env;

const [user] = await db.insert(users).values({ email: "bench@example.com" }).returning();
const ws = await createWorkspace(db, { userId: user.id, label: user.email }, { name: "Bench" });
const { key } = await createApiKey(db, ws.id, { userId: user.id, label: user.email, role: "owner" }, { name: "bench", role: "owner" });
const { key: agentKey } = await createApiKey(db, ws.id, { userId: user.id, label: user.email, role: "owner" }, { name: "agents", role: "agent" });

async function api(method: string, path: string, k: string, body?: unknown) {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${k}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function deployment(name: string) {
  const env = ENV_REFS ? { MODE: "bench", TOKEN: "{{ secrets.bench-token }}", BUCKET: "{{ variables.bench-bucket }}" } : undefined;
  return (await api("PUT", "/api/v1/deployments", key, { flowName: "bench", name, kind: "command", command: "true", env })).deployment.id as string;
}

if (ENV_REFS) {
  await api("PUT", "/api/v1/secrets/bench-token", key, { value: "bench-secret-value" });
  await api("PUT", "/api/v1/variables/bench-bucket", key, { value: "s3://bench" });
}

async function insertRuns(deploymentId: string, n: number, firstDueMs: number, spacingMs: number) {
  await env.db.$client.query(
    `insert into flow_runs (id, workspace_id, flow_id, deployment_id, work_pool_id, name, state_type, state_name, scheduled_time)
     select gen_random_uuid(), d.workspace_id, d.flow_id, d.id, d.work_pool_id, 'bench-' || g, 'SCHEDULED', 'Scheduled',
            to_timestamp(($3::float8 + (g - 1) * $4::float8) / 1000)
       from deployments d, generate_series(1, $2::int) g where d.id = $1`,
    [deploymentId, n, firstDueMs, spacingMs],
  );
}

type Claimed = { id: string; attempt: number; leaseToken: string };
const report = (runs: Claimed[], type: string) =>
  api("POST", "/api/v1/flow-runs/states", agentKey, {
    reports: runs.map((r) => ({ runId: r.id, attempt: r.attempt, leaseToken: r.leaseToken, transitionId: randomUUID(), state: { type } })),
  });

/** One simulated agent: claim up to SLOTS, report RUNNING for the batch, then COMPLETED; until `done()`. */
async function agentLoop(agentId: string, waitSeconds: number, done: () => boolean, onCompleted: (n: number) => void) {
  while (!done()) {
    const { runs } = (await api("POST", "/api/v1/work-pools/default/claim", agentKey, { agentId, slots: SLOTS, waitSeconds })) as { runs: Claimed[] };
    if (runs.length === 0) {
      if (waitSeconds === 0) return;
      continue;
    }
    await report(runs, "RUNNING");
    await report(runs, "COMPLETED");
    onCompleted(runs.length);
  }
}

/**
 * One simulated agent that claims the way `baton agent start` does (agent/agent/agent.ts): a long
 * poll is always outstanding for its free slots, and each claimed run reports RUNNING, then
 * COMPLETED, through the agent's own StateReporter (batched, one request in flight) meanwhile.
 */
async function pollingAgent(agentId: string, stop: AbortSignal, onCompleted: () => void) {
  const client = new ApiClient(base, agentKey, "baton-bench");
  const states = new StateReporter(client);
  let held = 0;
  let slotFreed: (() => void) | null = null;
  const execute = async (run: Claimed) => {
    await states.report(run, { type: "RUNNING" });
    await states.report(run, { type: "COMPLETED" });
    held--;
    slotFreed?.();
    onCompleted();
  };
  while (!stop.aborted) {
    if (held >= SLOTS) {
      await new Promise<void>((r) => (slotFreed = r));
      continue;
    }
    let runs: Claimed[];
    try {
      ({ runs } = await client.request<{ runs: Claimed[] }>("POST", "/work-pools/default/claim", { body: { agentId, slots: SLOTS - held, waitSeconds: 5 }, signal: stop, tries: 1 }));
    } catch (err) {
      if (stop.aborted) break;
      throw err;
    }
    held += runs.length;
    for (const run of runs) void execute(run);
  }
}

/** Runs `phase` and says how busy each process was meanwhile, in % of one core (Linux). */
async function measureCpu(phase: () => Promise<void>) {
  const [before, t] = [env.cpu(), performance.now()];
  await phase();
  const [after, seconds] = [env.cpu(), (performance.now() - t) / 1000];
  const pct = (k: keyof typeof before) => `${Math.round(((after[k] - before[k]) / seconds) * 100)}%`;
  return `server ${pct("server")}, Postgres ${pct("postgres")}, simulated agents ${pct("bench")}`;
}

const agentIds: string[] = [];
for (let i = 0; i < AGENTS; i++) agentIds.push((await api("POST", "/api/v1/agents", agentKey, { name: `bench-${i}`, slots: SLOTS })).id);

// --- Warm-up (not measured): JIT and connection pools of server and agents, as on a running system.
await insertRuns(await deployment("warm-up"), 1_000, Date.now() - 60_000, 0);
let warmed = 0;
await Promise.all(agentIds.map((id) => agentLoop(id, 0, () => warmed >= 1_000, (n) => (warmed += n))));

// --- Latency first (a quiet database, as agents usually find it): LATENCY_RUNS runs due at 100/s;
// agents wait in long poll the way `baton agent start` does.
const latencyDeployment = await deployment("latency");
const firstDue = Date.now() + 2_000;
await insertRuns(latencyDeployment, LATENCY_RUNS, firstDue, 10);
let latencyDone = 0;
const latencyCpu = await measureCpu(async () => {
  const stop = new AbortController();
  await Promise.all(agentIds.map((id) => pollingAgent(id, stop.signal, () => ++latencyDone === LATENCY_RUNS && stop.abort())));
});
const { rows: lat } = await env.db.$client.query<{ ms: number }>(
  "select extract(epoch from (claimed_at - scheduled_time)) * 1000 as ms from flow_runs where deployment_id = $1 order by 1",
  [latencyDeployment],
);
const latencies = lat.map((r) => Number(r.ms));
if (process.env.BENCH_ONLY === "latency") {
  console.log(`latency p50 ${percentile(latencies, 50).toFixed(1)} p95 ${percentile(latencies, 95).toFixed(1)} p99 ${percentile(latencies, 99).toFixed(1)}; CPU ${latencyCpu}`);
  await env.stop();
  process.exit(0);
}

// --- Throughput: RUNS due runs, AGENTS agents doing claim → RUNNING → COMPLETED over HTTP.
await insertRuns(await deployment("throughput"), RUNS, Date.now() - 60_000, 0);
let completed = 0;
const t0 = performance.now();
const throughputCpu = await measureCpu(() => Promise.all(agentIds.map((id) => agentLoop(id, 0, () => completed >= RUNS, (n) => (completed += n)))).then(() => undefined));
const batonSeconds = (performance.now() - t0) / 1000;
const batonRate = completed / batonSeconds;

// --- Peer: the same number of no-op jobs through graphile-worker 0.17.3 at concurrency 8, same Postgres.
const utils = await makeWorkerUtils({ connectionString: env.url, logger: new Logger(() => () => undefined) });
await utils.migrate();
// Warm graphile-worker up too (not measured), so both sides are measured warm.
{
  await utils.addJobs(Array.from({ length: 1_000 }, (_, i) => ({ identifier: "noop", payload: { i } })));
  let warm = 0;
  let warmDone: () => void;
  const finished = new Promise<void>((r) => (warmDone = r));
  const warmRunner = await runGraphile({
    connectionString: env.url,
    concurrency: 8,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: new Logger(() => () => undefined),
    taskList: { noop: async () => void (++warm === 1_000 && warmDone()) },
  });
  await finished;
  await warmRunner.stop();
}
const jobs = Array.from({ length: RUNS }, (_, i) => ({ identifier: "noop", payload: { i } }));
for (let i = 0; i < jobs.length; i += 1000) await utils.addJobs(jobs.slice(i, i + 1000));
let gwDone = 0;
let resolveGw: () => void;
const gwFinished = new Promise<void>((r) => (resolveGw = r));
const g0 = performance.now();
const runner = await runGraphile({
  connectionString: env.url,
  concurrency: 8,
  noHandleSignals: true,
  pollInterval: 1000,
  logger: new Logger(() => () => undefined),
  taskList: {
    noop: async () => {
      if (++gwDone === RUNS) resolveGw();
    },
  },
});
await gwFinished;
const gwSeconds = (performance.now() - g0) / 1000;
await runner.stop();
await utils.release();
const gwRate = RUNS / gwSeconds;

const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
console.log(`\nBaton dispatch benchmark — ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}`);
console.log(`agents ${AGENTS} × ${SLOTS} slots; claim → RUNNING → COMPLETED over HTTP with API-key auth and validation; both sides warmed up with 1,000 unmeasured runs/jobs`);
console.log("latency: the agents poll like `baton agent start` (a long poll always outstanding for the free slots, reports through its StateReporter)\n");
console.log("| measure | value |");
console.log("| --- | --- |");
console.log(`| Baton throughput (${fmt(RUNS)} runs) | ${fmt(batonRate)} runs/s (${fmt(batonSeconds, 1)} s) |`);
console.log(`| graphile-worker 0.17.3, concurrency 8 (${fmt(RUNS)} no-op jobs) | ${fmt(gwRate)} jobs/s (${fmt(gwSeconds, 1)} s) |`);
console.log(`| ratio Baton / graphile-worker | ${fmt(batonRate / gwRate, 2)} |`);
console.log(`| dispatch latency, ${fmt(latencies.length)} runs due at 100/s: p50 / p95 / p99 | ${fmt(percentile(latencies, 50), 1)} / ${fmt(percentile(latencies, 95), 1)} / ${fmt(percentile(latencies, 99), 1)} ms |`);
console.log(`| CPU during the throughput phase (% of one core; 200% = both) | ${throughputCpu} |`);
console.log(`| CPU during the latency phase | ${latencyCpu} |`);
await env.stop();
process.exit(0);
