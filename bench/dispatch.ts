/**
 * npm run bench:dispatch — dispatch latency and throughput of Baton against graphile-worker,
 * on the same Postgres, in the same run. Prints a table; not part of `npm test`.
 */
import os from "node:os";
import { randomUUID } from "node:crypto";
import { Logger, makeWorkerUtils, run as runGraphile } from "graphile-worker";
import { createApiKey } from "../server/api-keys/manage-api-keys";
import { users } from "../server/db/schema";
import { createWorkspace } from "../server/workspaces/create-workspace";
import { percentile, startBenchEnvironment } from "./bench-env";

const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 2_000);
const AGENTS = 8;
const SLOTS = Number(process.env.BENCH_SLOTS ?? 16);

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
  return (await api("PUT", "/api/v1/deployments", key, { flowName: "bench", name, kind: "command", command: "true" })).deployment.id as string;
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

const agentIds: string[] = [];
for (let i = 0; i < AGENTS; i++) agentIds.push((await api("POST", "/api/v1/agents", agentKey, { name: `bench-${i}`, slots: SLOTS })).id);

// --- Warm-up (not measured): JIT and connection pools of server and agents, as on a running system.
await insertRuns(await deployment("warm-up"), 1_000, Date.now() - 60_000, 0);
let warmed = 0;
await Promise.all(agentIds.map((id) => agentLoop(id, 0, () => warmed >= 1_000, (n) => (warmed += n))));

// --- Latency first (a quiet database, as agents usually find it): LATENCY_RUNS runs due at 100/s; agents wait in long poll.
const latencyDeployment = await deployment("latency");
const firstDue = Date.now() + 2_000;
await insertRuns(latencyDeployment, LATENCY_RUNS, firstDue, 10);
let latencyDone = 0;
await Promise.all(agentIds.map((id) => agentLoop(id, 5, () => latencyDone >= LATENCY_RUNS, (n) => (latencyDone += n))));
const { rows: lat } = await env.db.$client.query<{ ms: number }>(
  "select extract(epoch from (claimed_at - scheduled_time)) * 1000 as ms from flow_runs where deployment_id = $1 order by 1",
  [latencyDeployment],
);
const latencies = lat.map((r) => Number(r.ms));

// --- Throughput: RUNS due runs, AGENTS agents doing claim → RUNNING → COMPLETED over HTTP.
await insertRuns(await deployment("throughput"), RUNS, Date.now() - 60_000, 0);
let completed = 0;
const t0 = performance.now();
await Promise.all(agentIds.map((id) => agentLoop(id, 0, () => completed >= RUNS, (n) => (completed += n))));
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
console.log(`agents ${AGENTS} × ${SLOTS} slots; claim → RUNNING → COMPLETED over HTTP with API-key auth and validation; both sides warmed up with 1,000 unmeasured runs/jobs\n`);
console.log("| measure | value |");
console.log("| --- | --- |");
console.log(`| Baton throughput (${fmt(RUNS)} runs) | ${fmt(batonRate)} runs/s (${fmt(batonSeconds, 1)} s) |`);
console.log(`| graphile-worker 0.17.3, concurrency 8 (${fmt(RUNS)} no-op jobs) | ${fmt(gwRate)} jobs/s (${fmt(gwSeconds, 1)} s) |`);
console.log(`| ratio Baton / graphile-worker | ${fmt(batonRate / gwRate, 2)} |`);
console.log(`| dispatch latency, ${fmt(latencies.length)} runs due at 100/s: p50 / p95 / p99 | ${fmt(percentile(latencies, 50), 1)} / ${fmt(percentile(latencies, 95), 1)} / ${fmt(percentile(latencies, 99), 1)} ms |`);
await env.stop();
process.exit(0);
