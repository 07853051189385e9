import { asc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { flowRunStates, flowRuns } from "../server/db/schema";
import { waitFor } from "./helpers/app-process";
import { alive, startCliEnvironment, runIdOf } from "./helpers/cli";

const env = await startCliEnvironment();

const getRun = (id: string) => env.api("GET", `/flow-runs/${id}`);
const logsOf = async (id: string): Promise<string[]> => (await env.api("GET", `/flow-runs/${id}/logs?limit=1000`)).logs.map((l: { message: string }) => l.message);

async function deploy(args: string[]) {
  const res = await env.cli(["deploy", ...args, "--json"]);
  expect(res.stderr).toBe("");
  return JSON.parse(res.stdout)[0].deployment as { id: string };
}

async function startRun(deploymentId: string, parameters: Record<string, unknown> = {}) {
  return (await env.api("POST", `/deployments/${deploymentId}/runs`, { parameters })).run as { id: string };
}

const pidIn = async (runId: string) =>
  waitFor(async () => Number(/pid=(\d+)/.exec((await logsOf(runId)).join("\n"))?.[1]) || undefined, { what: `pid of run ${runId}` });

describe("the agent runs command deployments", () => {
  it("passes parameters as BATON_PARAM_* and BATON_PARAMETERS, and stdout/stderr become logs", { timeout: 60_000 }, async () => {
    const agent = env.startAgent(["--pool", "default", "--limit", "2"]);
    await deploy(["--command", 'echo "epochs=$BATON_PARAM_EPOCHS rate=$BATON_PARAM_LEARNING_RATE"; echo "$BATON_PARAMETERS"; echo oops >&2', "--name", "train", "--param", "epochs=3"]);
    const run = await env.cli(["run", "train", "--param", "learning-rate=0.5", "--watch"]);
    expect(run.code).toBe(0);
    expect(await logsOf(runIdOf(run.stdout))).toEqual(["epochs=3 rate=0.5", '{"epochs":3,"learning-rate":0.5}', "oops"]);
    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
  });

  it("cancels a running `sleep 60`: CANCELLED within 15 s and the process is gone", { timeout: 60_000 }, async () => {
    const agent = env.startAgent(["--limit", "1"]);
    const d = await deploy(["--command", "echo pid=$$; exec sleep 60", "--name", "sleepy"]);
    const run = await startRun(d.id);
    const pid = await pidIn(run.id);
    expect(alive(pid)).toBe(true);
    const cancelledAt = Date.now();
    const res = await env.cli(["runs", "cancel", run.id]);
    expect(res.stdout).toContain("Cancelling");
    await waitFor(async () => (await getRun(run.id)).state.type === "CANCELLED", { timeoutMs: 15_000, what: "CANCELLED" });
    expect(Date.now() - cancelledAt).toBeLessThan(15_000);
    expect(alive(pid)).toBe(false);
    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
  });
});

describe("when the agent dies", () => {
  it("kill -9 with 5 runs: all CRASHED within 45 s, their processes stop, a second agent runs the retries, never two attempts at once", { timeout: 150_000 }, async () => {
    await env.cli(["pools", "create", "doomed"]);
    const first = env.startAgent(["--limit", "5", "--pool", "doomed"]);
    const d = await deploy([
      "--command",
      'echo "pid=$$ attempt=$BATON_RUN_ATTEMPT"; if [ "$BATON_RUN_ATTEMPT" = 1 ]; then exec sleep 120; fi; echo second attempt done',
      "--name",
      "crashy",
      "--pool",
      "doomed",
      "--retries",
      "1",
    ]);
    const runs = await Promise.all([1, 2, 3, 4, 5].map(() => startRun(d.id)));
    const pids = await Promise.all(runs.map((r) => pidIn(r.id)));
    expect(pids.every(alive)).toBe(true);
    first.child.kill("SIGKILL");
    const killedAt = Date.now();
    // Each run's process notices its agent is gone and stops its process group.
    await waitFor(async () => pids.every((p) => !alive(p)), { timeoutMs: 10_000, what: "orphaned run processes to stop" });

    // A crash with retries left becomes AwaitingRetry at once, its message saying why.
    await waitFor(
      async () => {
        const crashed = await env.db.select().from(flowRunStates).where(sql`${flowRunStates.flowRunId} in ${runs.map((r) => r.id)} and ${flowRunStates.name} = 'AwaitingRetry'`);
        return crashed.length === 5 && crashed.every((c) => /crash/i.test(c.message ?? "") && /heartbeat/i.test(c.message ?? ""));
      },
      { timeoutMs: 45_000, what: "all 5 runs crashed (AwaitingRetry)" },
    );
    expect(Date.now() - killedAt).toBeLessThan(45_000);
    const second = env.startAgent(["--limit", "5", "--pool", "doomed"]);
    await waitFor(async () => (await Promise.all(runs.map((r) => getRun(r.id)))).every((r) => r.state.type === "COMPLETED"), { timeoutMs: 60_000, what: "retries completed" });
    for (const r of runs) {
      const history = await env.db.select().from(flowRunStates).where(eq(flowRunStates.flowRunId, r.id)).orderBy(asc(flowRunStates.id));
      expect(history.map((h) => h.name)).toEqual(["Scheduled", "Pending", "Running", "AwaitingRetry", "Pending", "Running", "Completed"]);
      expect((await logsOf(r.id)).at(-1)).toBe("second attempt done");
    }
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});

describe("outages and shutdown", () => {
  it("the API unreachable for 20 s while a flow logs: afterwards every line is stored exactly once", { timeout: 150_000 }, async () => {
    const agent = env.startAgent(["--limit", "1"]);
    const d = await deploy(["pipeline.ts:chatty", "--name", "chatty"]);
    const run = await startRun(d.id, { lines: 300, everyMs: 100 });
    await waitFor(async () => (await logsOf(run.id)).length >= 20, { what: "first lines" });
    // Stop right after a heartbeat renewed the lease, so the outage cannot outlast it.
    const renewedAt = async () => (await env.db.select({ at: flowRuns.leaseExpiresAt }).from(flowRuns).where(eq(flowRuns.id, run.id)))[0].at!.getTime();
    const before = await renewedAt();
    await waitFor(async () => (await renewedAt()) > before, { timeoutMs: 15_000, what: "a heartbeat" });
    await env.stopApp();
    await new Promise((r) => setTimeout(r, 20_000));
    await env.restartApp();
    await waitFor(async () => (await getRun(run.id)).state.type === "COMPLETED", { timeoutMs: 60_000, what: "the run to complete" });
    const lines = await logsOf(run.id);
    expect(lines).toEqual(Array.from({ length: 300 }, (_, i) => `chatty ${i}`));
    expect(agent.output()).not.toMatch(/dropped/);
    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
  });

  it("SIGTERM: running runs finish, the agent claims nothing more, and exits 0", { timeout: 60_000 }, async () => {
    await env.cli(["pools", "create", "graceful"]);
    const agent = env.startAgent(["--limit", "3", "--pool", "graceful"]);
    const d = await deploy(["--command", "echo pid=$$; sleep 3; echo finished", "--name", "graceful", "--pool", "graceful"]);
    const running = await Promise.all([startRun(d.id), startRun(d.id)]);
    await Promise.all(running.map((r) => pidIn(r.id)));
    agent.child.kill("SIGTERM");
    await waitFor(async () => agent.output().includes("SIGTERM"), { what: "the agent to hear SIGTERM" });
    const later = await Promise.all([startRun(d.id), startRun(d.id)]);
    expect(await agent.exited).toBe(0);
    for (const r of running) {
      expect((await getRun(r.id)).state.type).toBe("COMPLETED");
      expect((await logsOf(r.id)).at(-1)).toBe("finished");
    }
    for (const r of later) expect((await getRun(r.id)).state).toMatchObject({ type: "SCHEDULED" });
  });
});
