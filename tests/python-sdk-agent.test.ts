import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { startCliEnvironment } from "./helpers/cli";
import { pythonEnv, startPython } from "./helpers/python";

const env = await startCliEnvironment();
const agentKey = (await env.workspace.owner.caller.apiKeys.create({ workspace: env.workspace.ws.slug, name: "py-agent", role: "agent" })).key;

async function call(method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(`${env.apiUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  expect(res.status, JSON.stringify(json)).toBeLessThan(300);
  return json;
}

/** What an agent does before it starts a run's process: a run of a deployment, claimed, reported RUNNING. */
async function claimedRun(parameters: Record<string, unknown>) {
  const { deployment } = await call("PUT", "/deployments", env.key, { flowName: "py-agent", name: `d-${randomUUID().slice(0, 8)}`, kind: "command", command: "true" });
  await call("POST", `/deployments/${deployment.id}/runs`, env.key, { parameters });
  const agent = await call("POST", "/agents", agentKey, { name: `agent-${randomUUID().slice(0, 8)}`, hostname: "test-host", version: "0.1.0" });
  const { runs } = await call("POST", "/work-pools/default/claim", agentKey, { agentId: agent.id, slots: 1, waitSeconds: 0 });
  const run = runs[0] as { id: string; attempt: number; leaseToken: string; runToken: string; parameters: Record<string, unknown> };
  await call("POST", "/flow-runs/states", agentKey, { reports: [{ runId: run.id, attempt: run.attempt, leaseToken: run.leaseToken, transitionId: randomUUID(), state: { type: "RUNNING" } }] });
  return run;
}

/** `python3 -m baton.run entrypoint` with the environment the agent sets (run-process.ts), log lines on fd 3. */
async function runAsAgent(entrypoint: string, run: Awaited<ReturnType<typeof claimedRun>>) {
  const p = startPython(["-m", "baton.run", entrypoint], {
    env: pythonEnv({
      BATON_API_URL: env.apiUrl,
      BATON_RUN_ID: run.id,
      BATON_RUN_TOKEN: run.runToken,
      BATON_RUN_ATTEMPT: String(run.attempt),
      BATON_PARAMETERS: JSON.stringify(run.parameters),
      BATON_LOG_FD: "3",
    }),
    stdio: ["ignore", "pipe", "pipe", "pipe"],
  });
  let channel = "";
  p.child.stdio[3]!.on("data", (d) => (channel += d));
  const res = await p.done;
  const messages = channel
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { t: string; level?: string; message?: string; taskRunId?: string | null; ok?: boolean });
  return { ...res, messages };
}

describe("the Python SDK under an agent (python3 -m baton.run with a claimed run's token)", () => {
  it("calls the flow with the run's parameters converted, reports its task runs with the run token, and sends its lines to the agent's channel", { timeout: 60_000 }, async () => {
    const run = await claimedRun({ rows: "4", label: "agent" });
    const res = await runAsAgent("agent_flow.py:agent_flow", run);
    expect(res.code, res.stderr).toBe(0);
    const { taskRuns } = await call("GET", `/flow-runs/${run.id}/task-runs`, env.key);
    const by = Object.fromEntries((taskRuns as { name: string; id: string; upstreamTaskRunIds: string[]; state: { type: string } }[]).map((t) => [t.name, t]));
    expect(by.load.state.type).toBe("COMPLETED");
    expect(by.count.upstreamTaskRunIds).toEqual([by.load.id]);
    expect(res.messages).toContainEqual(expect.objectContaining({ t: "log", level: "info", message: "label agent", taskRunId: null }));
    expect(res.messages).toContainEqual(expect.objectContaining({ t: "log", level: "warning", message: "counting 4 items", taskRunId: by.count.id }));
    expect(res.messages.at(-1)).toMatchObject({ t: "result", ok: true });
    // The agent is the authority on the run's end: the SDK reported no state of its own.
    const after = await call("GET", `/flow-runs/${run.id}`, env.key);
    expect(after.state.type).toBe("RUNNING");
  });

  it("a failing flow exits 1 with the exception's last line last on stderr; so does a parameter of the wrong type, naming it", { timeout: 60_000 }, async () => {
    const failing = await runAsAgent("agent_flow.py:agent_fails", await claimedRun({}));
    expect(failing.code).toBe(1);
    expect(failing.stderr.trim().split("\n").at(-1)).toBe("ValueError: the data is bad");
    expect(failing.messages.at(-1)).toMatchObject({ t: "result", ok: false, message: "ValueError: the data is bad" });

    const bad = await runAsAgent("agent_flow.py:agent_flow", await claimedRun({ rows: "many" }));
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split("\n").at(-1)).toBe(`ParameterError: Invalid parameters for flow "py-agent-flow": rows: expected an integer, got 'many'`);
  });
});
