/**
 * npm run bench:sdk — what a task costs inside a flow that reports to a local Baton, against the
 * same work as plain function calls, measured in the same run. Prints a table; not part of `npm test`.
 */
import os from "node:os";
import { createApiKey } from "../server/api-keys/manage-api-keys";
import { users } from "../server/db/schema";
import { createWorkspace } from "../server/workspaces/create-workspace";
import { startBenchEnvironment } from "./bench-env";

const TASKS = Number(process.env.BENCH_TASKS ?? 1_000);
const ROUNDS = 5;

const env = await startBenchEnvironment();
const [user] = await env.db.insert(users).values({ email: "sdk-bench@example.com" }).returning();
const ws = await createWorkspace(env.db, { userId: user.id, label: user.email }, { name: "SDK bench" });
const { key } = await createApiKey(env.db, ws.id, { userId: user.id, label: user.email, role: "owner" }, { name: "bench", role: "owner" });
process.env.BATON_API_URL = env.base;
process.env.BATON_API_KEY = key;
process.env.BATON_HOME = os.tmpdir();

// Imported after the environment is set: the SDK reads its connection when a flow is called.
const { flow, task } = await import("../agent/sdk/index");

const work = async (i: number) => i + 1;
const trivial = task("trivial", {}, work);

const sequential = flow("bench-sequential", {}, async () => {
  let s = 0;
  for (let i = 0; i < TASKS; i++) s += await trivial(i);
  return s;
});
const concurrent = flow("bench-concurrent", {}, async () => (await Promise.all(Array.from({ length: TASKS }, (_, i) => trivial(i)))).reduce((a, b) => a + b, 0));

async function plainSequential() {
  let s = 0;
  for (let i = 0; i < TASKS; i++) s += await work(i);
  return s;
}
const plainConcurrent = async () => (await Promise.all(Array.from({ length: TASKS }, (_, i) => work(i)))).reduce((a, b) => a + b, 0);

async function time(fn: () => Promise<unknown>) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Warm-up (not measured): JIT, connections, the server's caches.
await sequential();
await concurrent();

const rows: [string, number, number][] = [];
for (const [label, baton, plain] of [
  ["sequential (await each task)", sequential, plainSequential],
  ["concurrent (Promise.all)", concurrent, plainConcurrent],
] as const) {
  const b: number[] = [];
  const p: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    b.push(await time(baton));
    p.push(await time(plain));
  }
  rows.push([label, median(b), median(p)]);
}

const { rows: counted } = await env.db.$client.query<{ n: number }>("select count(*)::int as n from task_runs where workspace_id = $1", [ws.id]);
const fmt = (n: number, d = 1) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
console.log(`\nBaton SDK benchmark — ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}`);
console.log(`a flow of ${fmt(TASKS, 0)} trivial tasks as an ad-hoc run reporting to a local Baton (task runs, states and the run's end state all stored before the flow returns); median of ${ROUNDS} rounds after a warm-up\n`);
console.log("| flow of tasks | Baton flow | plain function calls | overhead per task |");
console.log("| --- | --- | --- | --- |");
for (const [label, b, p] of rows) console.log(`| ${label} | ${fmt(b)} ms | ${fmt(p, 2)} ms | ${fmt((b - p) / TASKS, 3)} ms |`);
console.log(`\n${fmt(counted[0].n, 0)} task runs stored (${ROUNDS * 2 + 2} flows × ${fmt(TASKS, 0)}).`);
await env.stop();
process.exit(0);
