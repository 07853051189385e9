/**
 * npm run bench:sdk-python — what a task costs in a Python flow (agent/python) that reports to a
 * local Baton as an ad-hoc run, against the same work as plain function calls, measured in the
 * same process (bench/sdk_python.py). Prints a table; not part of `npm test`.
 */
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { createApiKey } from "../server/api-keys/manage-api-keys";
import { users } from "../server/db/schema";
import { createWorkspace } from "../server/workspaces/create-workspace";
import { startBenchEnvironment } from "./bench-env";

const env = await startBenchEnvironment();
const [user] = await env.db.insert(users).values({ email: "sdk-python-bench@example.com" }).returning();
const ws = await createWorkspace(env.db, { userId: user.id, label: user.email }, { name: "Python SDK bench" });
const { key } = await createApiKey(env.db, ws.id, { userId: user.id, label: user.email, role: "owner" }, { name: "bench", role: "owner" });

const root = path.resolve(import.meta.dirname, "..");
const python = process.env.BATON_TEST_PYTHON || "python3";
const out = execFileSync(python, [path.join(root, "bench/sdk_python.py")], {
  encoding: "utf8",
  stdio: ["ignore", "pipe", "ignore"],
  env: { ...process.env, PYTHONPATH: path.join(root, "agent/python"), BATON_API_URL: env.base, BATON_API_KEY: key, BATON_HOME: os.tmpdir() },
});
const figures = JSON.parse(out.trim().split("\n").at(-1)!) as { tasks: number; rounds: number; rows: { label: string; batonMs: number; plainMs: number }[] };
const version = execFileSync(python, ["--version"], { encoding: "utf8" }).trim();

const { rows: counted } = await env.db.$client.query<{ n: number }>("select count(*)::int as n from task_runs where workspace_id = $1", [ws.id]);
const fmt = (n: number, d = 1) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
console.log(`\nBaton Python SDK benchmark — ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "cpu"}, ${version}`);
console.log(
  `a flow of ${fmt(figures.tasks, 0)} trivial tasks as an ad-hoc run reporting to a local Baton (task runs, states and the run's end state all stored before the flow returns); median of ${figures.rounds} rounds after a warm-up\n`,
);
console.log("| flow of tasks | Baton flow | plain function calls | overhead per task |");
console.log("| --- | --- | --- | --- |");
for (const r of figures.rows) console.log(`| ${r.label} | ${fmt(r.batonMs)} ms | ${fmt(r.plainMs, 2)} ms | ${fmt((r.batonMs - r.plainMs) / figures.tasks, 3)} ms |`);
console.log(`\n${fmt(counted[0].n, 0)} task runs stored (${figures.rounds * 2 + 2} flows × ${fmt(figures.tasks, 0)}).`);
await env.stop();
process.exit(0);
