// Issue 14.3–4: a killed agent's runs are Crashed within 15 s (29–35 s before), and ad-hoc runs
// (a script calling a flow, no agent) hold a lease: killed, they are Crashed instead of Running
// forever; cancelled, the script stops.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HEARTBEAT_SECONDS, KILL_GRACE_SECONDS } from "../../agent/protocol/leases";
import { waitFor } from "../helpers/app-process";
import { FLOWS_DIR, startCliEnvironment } from "../helpers/cli";

const env = await startCliEnvironment();
const getRun = (id: string) => env.api("GET", `/flow-runs/${id}`);
const DETECTION_LIMIT_MS = 15_000;

/** Calls a flow of tests/fixtures/flows/pipeline.ts from a script with a key: an ad-hoc run. */
function callFlow(name: string, params: unknown) {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(FLOWS_DIR, "call-flow.ts"), name, JSON.stringify(params)], {
    cwd: FLOWS_DIR,
    env: { ...process.env, BATON_HOME: fs.mkdtempSync(path.join(os.tmpdir(), "baton-nohome-")), BATON_API_URL: env.apiUrl, BATON_API_KEY: env.key },
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, exited, output: () => out };
}

async function adhocRunOf(flowName: string, since: number) {
  return waitFor(
    async () => {
      const { runs } = await env.api("GET", "/flow-runs?limit=20");
      return runs.find((r: { flowName: string; deploymentId: string | null; createdAt: string; state: { type: string } }) => r.flowName === flowName && r.deploymentId === null && r.state.type === "RUNNING" && Date.parse(r.createdAt) >= since - 1000);
    },
    { what: `the ad-hoc run of ${flowName}` },
  ) as Promise<{ id: string }>;
}

describe("crash detection", () => {
  it(`a killed agent's runs are Crashed within ${DETECTION_LIMIT_MS / 1000} s`, { timeout: 90_000 }, async () => {
    await env.cli(["pools", "create", "killed"]);
    const agent = env.startAgent(["--limit", "3", "--pool", "killed"]);
    const res = await env.cli(["deploy", "--command", "echo up; exec sleep 120", "--name", "victim", "--pool", "killed", "--json"]);
    const d = JSON.parse(res.stdout)[0].deployment as { id: string };
    const runs = await Promise.all([1, 2, 3].map(async () => (await env.api("POST", `/deployments/${d.id}/runs`, {})).run as { id: string }));
    await waitFor(async () => (await Promise.all(runs.map((r) => getRun(r.id)))).every((r) => r.state.type === "RUNNING"), { what: "running" });
    // Kill at a random point of the heartbeat cycle.
    await new Promise((r) => setTimeout(r, Math.random() * HEARTBEAT_SECONDS * 1000));
    agent.child.kill("SIGKILL");
    const killedAt = Date.now();
    await waitFor(async () => (await Promise.all(runs.map((r) => getRun(r.id)))).every((r) => r.state.type === "CRASHED"), { timeoutMs: 30_000, what: "all crashed" });
    const detected = Date.now() - killedAt;
    console.log(`[leases] killed agent: all 3 runs Crashed ${detected} ms after kill -9`);
    expect(detected).toBeLessThan(DETECTION_LIMIT_MS);
    expect((await getRun(runs[0].id)).state.message).toMatch(/stopped heartbeating/);
  });
});

describe("ad-hoc runs hold a lease too", () => {
  it("a script killed mid-flow: its run is Crashed, not Running forever", { timeout: 90_000 }, async () => {
    const started = Date.now();
    const script = callFlow("slow", { seconds: 120 });
    const run = await adhocRunOf("slow", started);
    await new Promise((r) => setTimeout(r, HEARTBEAT_SECONDS * 1000 + 500));
    expect((await getRun(run.id)).state.type).toBe("RUNNING");
    script.child.kill("SIGKILL");
    const killedAt = Date.now();
    await waitFor(async () => (await getRun(run.id)).state.type === "CRASHED", { timeoutMs: 30_000, what: "the ad-hoc run crashed" });
    const detected = Date.now() - killedAt;
    console.log(`[leases] killed script: its ad-hoc run Crashed ${detected} ms after kill -9`);
    expect(detected).toBeLessThan(DETECTION_LIMIT_MS);
    expect((await getRun(run.id)).state.message).toMatch(/process stopped heartbeating/);
  });

  it("cancelling an ad-hoc run stops the script: the flow call ends cancelled and the process exits", { timeout: 90_000 }, async () => {
    const started = Date.now();
    const script = callFlow("slow", { seconds: 120 });
    const run = await adhocRunOf("slow", started);
    const cancelledAt = Date.now();
    const res = await env.cli(["runs", "cancel", run.id]);
    expect(res.stdout).toContain("Cancelling");
    const code = await Promise.race([script.exited, new Promise((r) => setTimeout(() => r("still running"), 20_000))]);
    const stoppedAfter = Date.now() - cancelledAt;
    expect(code).toBe(130);
    expect(stoppedAfter).toBeLessThan((HEARTBEAT_SECONDS + KILL_GRACE_SECONDS + 4) * 1000);
    expect(script.output()).toContain("THREW Flow slow was cancelled in Baton");
    expect(script.output()).toMatch(/still running 3 s after the cancel: exiting the process/);
    await waitFor(async () => (await getRun(run.id)).state.type === "CANCELLED", { timeoutMs: 10_000, what: "CANCELLED" });
    console.log(`[leases] cancelled ad-hoc run: script exited ${stoppedAfter} ms after the cancel`);
  });
});
