// Pausing for approval end to end: the built app, a real `baton agent start`, TypeScript and Python
// flows that call pauseForInput / pause_flow_run, and people answering through tRPC and REST.
import { describe, expect, it } from "vitest";
import { LEASE_SECONDS } from "../agent/protocol/leases";
import { addMember, createUser } from "./helpers/fixtures";
import { startCliEnvironment } from "./helpers/cli";
import { waitFor } from "./helpers/app-process";
import { PY_FIXTURES } from "./helpers/python";

const env = await startCliEnvironment();
const slug = env.workspace.ws.slug;
const runner = env.workspace.members.runner;
const viewer = await createUser(env.db);
await addMember(env.db, env.workspace.ws.id, env.workspace.owner.user.id, viewer.user, "viewer");

type Run = { id: string; state: { type: string; name: string; message: string | null } };
const runOf = (id: string) => env.api("GET", `/flow-runs/${id}`) as Promise<Run>;
const inState = (id: string, type: string, timeoutMs = 60_000) => waitFor(async () => ((await runOf(id)).state.type === type ? runOf(id) : undefined), { timeoutMs, what: `run ${id} ${type}` });
const lines = async (id: string) => ((await env.api("GET", `/flow-runs/${id}/logs?limit=1000`)).logs as { message: string }[]).map((l) => l.message);

async function deploy(args: string[], cwd?: string) {
  const res = await env.cli(["deploy", ...args, "--json"], { cwd });
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout)[0].deployment.id as string;
}
const start = async (deploymentId: string, parameters: Record<string, unknown> = {}) => (await env.api("POST", `/deployments/${deploymentId}/runs`, { parameters })).run.id as string;

describe("a TypeScript flow that pauses for approval, on a real agent", () => {
  const agent = env.startAgent(["--limit", "4", "--name", "approvals-agent"]);

  it("waits in place longer than a lease, refuses a viewer and bad input, then resumes with a runner's input and completes", { timeout: 120_000 }, async () => {
    const deployment = await deploy(["approval.ts:approval", "--name", "approve"]);
    const id = await start(deployment);
    const paused = await inState(id, "PAUSED");
    expect(paused.state).toMatchObject({ name: "Paused", message: "Waiting for input: Look at the metrics: ship this model?" });
    const pause = await runner.caller.runs.pause({ workspace: slug, runId: id });
    expect(pause).toMatchObject({ status: "waiting", message: "Look at the metrics: ship this model?" });
    expect(pause!.schema).toMatchObject({ type: "object", required: ["approve"], properties: { approve: { type: "boolean" } } });

    // The scenario, not an assertion: a pause longer than a lease, held by the agent's heartbeats.
    await new Promise((r) => setTimeout(r, (LEASE_SECONDS + 3) * 1000));
    expect((await runOf(id)).state.type, agent.output()).toBe("PAUSED");

    await expect(viewer.caller.runs.resume({ workspace: slug, runId: id, input: { approve: true } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const bad = await runner.caller.runs.resume({ workspace: slug, runId: id, input: { approve: "yes" } }).catch((e) => e);
    expect(bad.message).toMatch(/^The input does not match what the run asks for: approve must be boolean/);
    expect((await runOf(id)).state.type).toBe("PAUSED");

    await runner.caller.runs.resume({ workspace: slug, runId: id, input: { approve: true, note: "rmse is fine" } });
    const done = await inState(id, "COMPLETED");
    expect(done.state.name).toBe("Completed");
    expect(await lines(id)).toEqual(expect.arrayContaining(["rmse 4.21 on validation", `Resumed by ${runner.user.email}`, "answer approve=true note=rmse is fine"]));
    const history = await runner.caller.runs.history({ workspace: slug, runId: id });
    expect(history.map((h) => `${h.name}${h.actorLabel ? ` by ${h.actorLabel}` : ""}`)).toEqual(["Scheduled by " + env.workspace.owner.user.email, "Pending", "Running", "Paused", `Running by ${runner.user.email}`, "Completed"]);
  });

  it("a pause nobody answers fails the run with a clear message, once (no retry)", { timeout: 90_000 }, async () => {
    const deployment = await deploy(["approval.ts:approval", "--name", "approve-fast", "--retries", "2"]);
    const id = await start(deployment, { timeoutSeconds: 2 });
    const failed = await inState(id, "FAILED");
    expect(failed.state.name).toBe("TimedOut");
    expect(failed.state.message).toMatch(/^Nobody answered within 2 s \(the pause's timeout\), so the run failed\./);
    expect((await env.api("GET", `/flow-runs/${id}`)).attempt).toBe(1);
  });

  it("cancelling a paused run stops its process: Cancelled", { timeout: 90_000 }, async () => {
    const deployment = await deploy(["approval.ts:approval", "--name", "approve-cancel"]);
    const id = await start(deployment);
    await inState(id, "PAUSED");
    await runner.caller.runs.cancel({ workspace: slug, runId: id });
    const cancelled = await inState(id, "CANCELLED", 20_000).catch(async (e) => {
      throw new Error(`${e.message}\n${JSON.stringify(await runOf(id))}\n${agent.output()}`);
    });
    expect(cancelled.state.type).toBe("CANCELLED");
    expect(await lines(id)).not.toContain("answer approve=true note=-");
  });
});

describe("a Python flow that pauses for approval, on a real agent", () => {
  it("pause_flow_run waits; bad input is refused with field errors (REST, `baton runs resume`); the CLI's answer resumes it and the flow gets the input as a dict", { timeout: 120_000 }, async () => {
    const deployment = await deploy(["approval.py:approval", "--name", "py-approve"], PY_FIXTURES);
    const agent = env.startAgent(["--workdir", PY_FIXTURES, "--name", "py-approvals-agent"]);
    try {
      const id = await start(deployment);
      const paused = await inState(id, "PAUSED");
      expect(paused.state.message).toBe("Waiting for input: Approve the Python model?");
      const pause = await env.api("GET", `/flow-runs/${id}/pause`);
      expect(pause.schema).toMatchObject({ type: "object", required: ["approve"], properties: { approve: { type: "boolean" }, note: { type: "string", default: "" } } });
      const bad = await env.api("POST", `/flow-runs/${id}/resume`, { input: {} });
      expect(bad.error.details.fieldErrors).toEqual({ approve: ["is required"] });
      const refused = await env.cli(["runs", "resume", id, "--input", "approve=maybe"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/The input does not match what the run asks for: approve must be boolean/);
      const answered = await env.cli(["runs", "resume", id, "--input", "approve=false", "--input", "note=not yet"]);
      expect(answered.stderr).toBe("");
      const printed = /^Run ([0-9a-f-]{36}): Running, resumed with (\{.*\})\n$/.exec(answered.stdout);
      expect(printed?.[1]).toBe(id);
      expect(JSON.parse(printed![2])).toEqual({ approve: false, note: "not yet" });
      const done = await inState(id, "COMPLETED");
      expect(done.state.type, agent.output()).toBe("COMPLETED");
      expect(await lines(id)).toContain("answer approve=False note=not yet");
    } finally {
      agent.child.kill("SIGTERM");
      await agent.exited;
    }
  });
});
