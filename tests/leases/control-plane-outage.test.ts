// Issue 14.2: a control-plane outage longer than a lease must not crash healthy runs. Before the
// fix, the restarted server's reaper ran before the first heartbeat could arrive and crashed every
// active run, including ones that had exited 0 with their completion queued.
import { asc, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { LEASE_SECONDS } from "../../agent/protocol/leases";
import { flowRunStates } from "../../server/db/schema";
import { waitFor } from "../helpers/app-process";
import { startCliEnvironment } from "../helpers/cli";

const env = await startCliEnvironment();
const getRun = (id: string) => env.api("GET", `/flow-runs/${id}`);
const logsOf = async (id: string): Promise<string[]> => (await env.api("GET", `/flow-runs/${id}/logs?limit=1000`)).logs.map((l: { message: string }) => l.message);

async function deployTicks(name: string, seconds: number, pool = "outage") {
  const command = `i=0; while [ $i -lt ${seconds} ]; do echo "tick $i"; i=$((i+1)); sleep 1; done; echo finished`;
  const res = await env.cli(["deploy", "--command", command, "--name", name, "--retries", "2", "--pool", pool, "--json"]);
  expect(res.stderr).toBe("");
  return JSON.parse(res.stdout)[0].deployment as { id: string };
}
const startRun = async (deploymentId: string) => (await env.api("POST", `/deployments/${deploymentId}/runs`, { parameters: {} })).run as { id: string };

describe("the server down for 60 s while runs run and finish", () => {
  it("every run ends Completed exactly once, on its first attempt, with all its lines", { timeout: 240_000 }, async () => {
    await env.cli(["pools", "create", "outage"]);
    const agent = env.startAgent(["--limit", "6", "--pool", "outage"]);
    const short = await deployTicks("finishes-during-outage", 5);
    const long = await deployTicks("outlives-outage", 75);
    const runs = [await startRun(long.id), ...(await Promise.all([1, 2, 3, 4, 5].map(() => startRun(short.id))))];
    await waitFor(async () => (await Promise.all(runs.map((r) => getRun(r.id)))).every((r) => r.state.type === "RUNNING"), { what: "all six running" });

    await env.crashApp();
    const outage = 60_000;
    expect(outage).toBeGreaterThan(LEASE_SECONDS * 1000 * 5);
    await new Promise((r) => setTimeout(r, outage));
    await env.restartApp();

    await waitFor(async () => (await Promise.all(runs.map((r) => getRun(r.id)))).every((r) => r.state.type === "COMPLETED"), { timeoutMs: 90_000, what: "every run completed" });
    const history = await env.db.select().from(flowRunStates).where(inArray(flowRunStates.flowRunId, runs.map((r) => r.id))).orderBy(asc(flowRunStates.id));
    for (const r of runs) {
      const mine = history.filter((h) => h.flowRunId === r.id);
      expect(mine.map((h) => h.name), `history of ${r.id}`).toEqual(["Scheduled", "Pending", "Running", "Completed"]);
      expect(mine.filter((h) => h.name !== "Scheduled").every((h) => h.attempt === 1)).toBe(true);
    }
    expect(await logsOf(runs[0].id)).toEqual([...Array.from({ length: 75 }, (_, i) => `tick ${i}`), "finished"]);
    for (const r of runs.slice(1)) expect(await logsOf(r.id)).toEqual([...Array.from({ length: 5 }, (_, i) => `tick ${i}`), "finished"]);
    expect(agent.output()).not.toMatch(/not renewed in time/);
    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
  });

  it("a run whose agent died during the outage is still crashed afterwards, a lease period after the server is back", { timeout: 120_000 }, async () => {
    await env.cli(["pools", "create", "orphans"]);
    const agent = env.startAgent(["--limit", "1", "--name", "dies-in-outage", "--pool", "orphans"]);
    const d = await deployTicks("orphaned-in-outage", 120, "orphans");
    const run = await startRun(d.id);
    await waitFor(async () => (await getRun(run.id)).state.type === "RUNNING", { what: "running" });
    await env.crashApp();
    agent.child.kill("SIGKILL");
    await new Promise((r) => setTimeout(r, 15_000));
    await env.restartApp();
    const backAt = Date.now();
    await waitFor(async () => (await getRun(run.id)).state.name === "AwaitingRetry", { timeoutMs: 30_000, what: "the crash after the outage" });
    const crashedAfter = Date.now() - backAt;
    expect(crashedAfter).toBeGreaterThanOrEqual(LEASE_SECONDS * 1000 - 1500);
    expect(crashedAfter).toBeLessThan(LEASE_SECONDS * 1000 + 5000);
    const names = (await env.db.select().from(flowRunStates).where(eq(flowRunStates.flowRunId, run.id))).map((h) => h.name);
    expect(names).toEqual(["Scheduled", "Pending", "Running", "AwaitingRetry"]);
    console.log(`[leases] outage: a dead agent's run crashed ${crashedAfter} ms after the server came back`);
  });
});
