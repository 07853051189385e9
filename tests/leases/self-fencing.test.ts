// Issue 14.1: a frozen or cut-off agent's run stops itself before its retry can start elsewhere.
// Before the fix, the first attempt kept running (44 ms to 17.6 s of overlap in the chaos runs).
import { asc, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { FENCE_MARGIN_SECONDS, KILL_GRACE_SECONDS, REAPER_INTERVAL_SECONDS } from "../../agent/protocol/leases";
import { flowRunStates } from "../../server/db/schema";
import { waitFor } from "../helpers/app-process";
import { alive, startCliEnvironment } from "../helpers/cli";
import { fenceJournal } from "../helpers/fence-journal";
import { TcpProxy } from "../helpers/tcp-proxy";

const env = await startCliEnvironment();
const journal = fenceJournal();

const getRun = (id: string) => env.api("GET", `/flow-runs/${id}`);
const logsOf = async (id: string): Promise<string[]> => (await env.api("GET", `/flow-runs/${id}/logs?limit=1000`)).logs.map((l: { message: string }) => l.message);
const pidIn = async (runId: string) =>
  waitFor(async () => Number(/pid=(\d+)/.exec((await logsOf(runId)).join("\n"))?.[1]) || undefined, { what: `pid of run ${runId}` });
const historyOf = async (runId: string) =>
  (await env.db.select().from(flowRunStates).where(eq(flowRunStates.flowRunId, runId)).orderBy(asc(flowRunStates.id))).map((h) => ({ name: h.name, attempt: h.attempt, at: h.timestamp.getTime() }));

async function deploy(args: string[]) {
  const res = await env.cli(["deploy", ...args, "--json"]);
  expect(res.stderr).toBe("");
  return JSON.parse(res.stdout)[0].deployment as { id: string };
}
const startRun = async (deploymentId: string) => (await env.api("POST", `/deployments/${deploymentId}/runs`, { parameters: {} })).run as { id: string };

/** The run's attempts never overlapped: no attempt found the lock taken, and attempt 2 began after attempt 1's last sign of life. */
function expectNoOverlap(runId: string) {
  expect(journal.overlaps()).toEqual([]);
  const spans = journal.attempts(runId);
  expect(spans.get(1)).toBeDefined();
  expect(spans.get(2)).toBeDefined();
  expect(spans.get(2)!.first).toBeGreaterThan(spans.get(1)!.last);
  return spans.get(2)!.first - spans.get(1)!.last;
}

describe("a run's process stops itself when its lease is not renewed", () => {
  it("frozen agent (SIGSTOP): its command and its busy TypeScript flow stop by themselves; the retry starts elsewhere only after", { timeout: 120_000 }, async () => {
    await env.cli(["pools", "create", "frozen"]);
    const frozen = env.startAgent(["--limit", "2", "--pool", "frozen", "--name", "will-freeze"]);
    const cmd = await deploy(["--command", journal.command(120), "--name", "fenced-cmd", "--pool", "frozen", "--retries", "1"]);
    const busy = await deploy(["busy.ts:busy", "--name", "busy", "--pool", "frozen"]);
    const run = await startRun(cmd.id);
    const spin = await startRun(busy.id);
    const [pid, spinPid] = [await pidIn(run.id), await pidIn(spin.id)];
    expect(alive(pid) && alive(spinPid)).toBe(true);

    frozen.child.kill("SIGSTOP");
    const frozenAt = Date.now();
    const other = env.startAgent(["--limit", "2", "--pool", "frozen", "--name", "takes-over"]);
    try {
      await waitFor(async () => !alive(pid) && !alive(spinPid), { timeoutMs: 25_000, what: "the frozen agent's run processes to stop themselves" });
      const stoppedAfter = Date.now() - frozenAt;
      await waitFor(async () => (await getRun(run.id)).state.type === "COMPLETED", { timeoutMs: 60_000, what: "the retry to complete on the other agent" });
      const gap = expectNoOverlap(run.id);
      const history = await historyOf(run.id);
      expect(history.map((h) => h.name)).toEqual(["Scheduled", "Pending", "Running", "AwaitingRetry", "Pending", "Running", "Completed"]);
      // The retry was claimable only once the stopped attempt's deadline, kill grace and margin had
      // passed: the crash is seen up to one reaper interval after the lease expired.
      const crashedAt = history[3].at;
      const retriedAt = history[4].at;
      expect(retriedAt - crashedAt).toBeGreaterThanOrEqual((KILL_GRACE_SECONDS + FENCE_MARGIN_SECONDS - REAPER_INTERVAL_SECONDS) * 1000 - 200);
      expect(crashedAt - frozenAt).toBeLessThan(15_000);
      expect((await getRun(spin.id)).state.type).toBe("CRASHED");
      console.log(`[leases] frozen agent: processes gone ${stoppedAfter} ms after SIGSTOP; crash seen after ${crashedAt - frozenAt} ms; retry claimed ${retriedAt - crashedAt} ms after the crash; ${gap} ms between the attempts`);

      // Thawed, the first agent learns the runs are no longer its own and reports nothing for them.
      frozen.child.kill("SIGCONT");
      await waitFor(async () => /no longer this agent's|not renewed in time/.test(frozen.output()), { timeoutMs: 20_000, what: "the thawed agent to notice" });
      await new Promise((r) => setTimeout(r, 1000));
      expect((await historyOf(run.id)).map((h) => h.name).at(-1)).toBe("Completed");
      expect((await historyOf(run.id)).length).toBe(7);
    } finally {
      frozen.child.kill("SIGCONT");
      frozen.child.kill("SIGTERM");
      other.child.kill("SIGTERM");
      await Promise.all([frozen.exited, other.exited]);
    }
  });

  it("agent cut off from the server (a proxy that stops forwarding): the run stops itself while the agent lives on; no overlap", { timeout: 120_000 }, async () => {
    await env.cli(["pools", "create", "cut"]);
    const target = new URL(env.apiUrl);
    const proxy = new TcpProxy(Number(target.port));
    const proxyPort = await proxy.start();
    afterAll(() => proxy.stop());
    const cutOff = env.startAgent(["--limit", "1", "--pool", "cut", "--name", "cut-off"], { env: { BATON_API_URL: `http://localhost:${proxyPort}` } });
    const d = await deploy(["--command", journal.command(120), "--name", "fenced-cut", "--pool", "cut", "--retries", "1"]);
    const run = await startRun(d.id);
    const pid = await pidIn(run.id);

    proxy.cut();
    const cutAt = Date.now();
    const other = env.startAgent(["--limit", "1", "--pool", "cut", "--name", "still-connected"]);
    try {
      await waitFor(async () => !alive(pid), { timeoutMs: 25_000, what: "the cut-off agent's run to stop itself" });
      const stoppedAfter = Date.now() - cutAt;
      expect(cutOff.child.exitCode).toBeNull();
      await waitFor(async () => (await getRun(run.id)).state.type === "COMPLETED", { timeoutMs: 60_000, what: "the retry to complete" });
      const gap = expectNoOverlap(run.id);
      console.log(`[leases] cut connection: process gone ${stoppedAfter} ms after the cut; ${gap} ms between the attempts`);
      expect(cutOff.output()).toMatch(/lease was not renewed in time/);

      proxy.restore();
      // Reconnected, the agent reports nothing for the lost attempt and takes new work.
      const next = await startRun((await deploy(["--command", "echo fresh", "--name", "after-cut", "--pool", "cut"])).id);
      await waitFor(async () => (await getRun(next.id)).state.type === "COMPLETED", { timeoutMs: 30_000, what: "a new run after the cut" });
      expect((await historyOf(run.id)).map((h) => h.name).at(-1)).toBe("Completed");
    } finally {
      proxy.restore();
      cutOff.child.kill("SIGTERM");
      other.child.kill("SIGTERM");
      await Promise.all([cutOff.exited, other.exited]);
    }
  });
});
