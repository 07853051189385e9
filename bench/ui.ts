/**
 * npm run bench:ui — server time of the pages' queries on a workspace of 1,000,000 runs (seeded by
 * bench/seed-ui.ts on a fresh embedded Postgres): the runs list with and without filters, the
 * dashboard and a run's detail (run, history, task runs, logs). Calls the same services the tRPC
 * procedures call, so HTTP and React rendering are not in the figures. Prints p50/p95.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { countByHour } from "../server/dashboard/older-run-counts";
import { workspaceSummary } from "../server/dashboard/workspace-summary";
import { createDb } from "../server/db/client";
import { startEmbeddedPostgres } from "../server/db/embedded-postgres";
import { runMigrations } from "../server/db/migrate";
import { deployments, flows, users, workPools } from "../server/db/schema";
import { listLogs } from "../server/logs/list-logs";
import { getRun, listRuns } from "../server/runs/load-runs";
import { runHistory } from "../server/runs/run-history";
import { listTaskRuns } from "../server/task-runs/list-task-runs";
import { createWorkspace } from "../server/workspaces/create-workspace";
import { freePort } from "../tests/helpers/free-port";
import { percentile } from "./bench-env";
import { seedUiWorkspace } from "./seed-ui";
import { eq } from "drizzle-orm";

const RUNS = Number(process.env.BENCH_UI_RUNS ?? 1_000_000);
const SAMPLES = 40;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baton-bench-ui-"));
fs.chmodSync(dir, 0o755);
const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port: await freePort(), database: "benchui" });
await runMigrations(pg.url);
const db = createDb(pg.url, 4);
const [user] = await db.insert(users).values({ email: "ui-bench@example.com" }).returning();
const ws = await createWorkspace(db, { userId: user.id, label: user.email }, { name: "UI bench" });
const [pool] = await db.select().from(workPools).where(eq(workPools.workspaceId, ws.id));
const flowRows = await db.insert(flows).values(Array.from({ length: 10 }, (_, i) => ({ workspaceId: ws.id, name: `flow-${i}` }))).returning();
const deploymentRows = await db
  .insert(deployments)
  .values(flowRows.map((f, i) => ({ workspaceId: ws.id, flowId: f.id, name: `daily-${i}`, kind: "command" as const, command: "true", workPoolId: pool.id })))
  .returning();

const t0 = performance.now();
await seedUiWorkspace(db, ws.id, flowRows.map((f) => f.id), deploymentRows.map((d) => d.id), RUNS);
const seedSeconds = (performance.now() - t0) / 1000;
const { rows: newest } = await db.$client.query<{ id: string }>("select id from flow_runs where workspace_id = $1 order by id desc limit 1 offset 500", [ws.id]);
const runId = newest[0].id;
const page2 = (await listRuns(db, ws.id, { limit: 50 })).nextCursor!;

const cases: [string, () => Promise<unknown>][] = [
  ["runs list, first page (50)", () => listRuns(db, ws.id, { limit: 50 })],
  ["runs list, next page (cursor)", () => listRuns(db, ws.id, { limit: 50, cursor: page2 })],
  ["runs list, state = FAILED", () => listRuns(db, ws.id, { limit: 50, state: "FAILED" })],
  ["runs list, state = CRASHED (rare)", () => listRuns(db, ws.id, { limit: 50, state: "CRASHED" })],
  ["runs list, one deployment", () => listRuns(db, ws.id, { limit: 50, deployment: deploymentRows[3].id })],
  ["runs list, tag = ml", () => listRuns(db, ws.id, { limit: 50, tag: "ml" })],
  ["runs list, last 24 h", () => listRuns(db, ws.id, { limit: 50, from: new Date(Date.now() - 86_400_000).toISOString() })],
  ["dashboard (days before yesterday cached, as on all but a workspace's first load of the day)", () => workspaceSummary(db, ws.id)],
  ["dashboard's older-days count uncached (what that first load adds)", () => countByHour(db, ws.id, new Date(Date.now() - 7 * 86_400_000), new Date(Date.now() - 86_400_000))],
  [
    "run detail (run, history, task runs, logs)",
    () =>
      Promise.all([
        getRun(db, ws.id, runId),
        runHistory(db, ws.id, runId),
        listTaskRuns({ pool: db.$client, workspaceId: ws.id, runToken: null, runId, limit: 1000 }),
        listLogs({ pool: db.$client, workspaceId: ws.id, runToken: null, runId, limit: 200 }),
      ]),
  ],
];

console.log(`\nBaton UI queries — ${os.cpus().length} cores, Node ${process.version}; ${RUNS.toLocaleString("en-US")} runs seeded in ${seedSeconds.toFixed(0)} s`);
console.log(`server time of each page's queries (the services the tRPC procedures call), ${SAMPLES} samples after 3 warm-up calls\n`);
console.log("| query | p50 | p95 |");
console.log("| --- | --- | --- |");
for (const [label, fn] of cases) {
  for (let i = 0; i < 3; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const s = performance.now();
    await fn();
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  console.log(`| ${label} | ${percentile(times, 50).toFixed(1)} ms | ${percentile(times, 95).toFixed(1)} ms |`);
}
await db.$client.end();
await pg.stop();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
