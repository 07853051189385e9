// Child runs through the real app and a real agent: a TypeScript parent flow starts runs of
// other deployments with runDeployment and waits for them (tests/fixtures/flows/child-runs.ts).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { waitFor } from "./helpers/app-process";
import { FLOWS_DIR, startCliEnvironment, type CliResult } from "./helpers/cli";

const env = await startCliEnvironment();

type Run = { id: string; name: string; parentRunId: string | null; deploymentName: string | null; state: { type: string; name: string; message: string | null } };
const FINAL = ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"];

async function deploy(entry: string, name: string) {
  const res = await env.cli(["deploy", entry, "--name", name]);
  expect(res.code, res.stderr).toBe(0);
}
const runOf = (id: string) => env.api("GET", `/flow-runs/${id}`) as Promise<Run>;
const childrenOf = async (id: string) => ((await env.api("GET", `/flow-runs?parentRunId=${id}`)) as { runs: Run[] }).runs;
const ended = (id: string, timeoutMs = 90_000) => waitFor(async () => FINAL.includes((await runOf(id)).state.type) && runOf(id), { timeoutMs, what: `run ${id} to end` });
async function startParent(mode: string) {
  const { run } = await env.api("POST", `/deployments/${parentId}/runs`, { parameters: { mode } });
  return run.id as string;
}
const logLines = async (id: string) => ((await env.api("GET", `/flow-runs/${id}/logs?limit=1000`)) as { logs: { message: string }[] }).logs.map((l) => l.message);

await deploy("child-runs.ts:step", "train");
await deploy("child-runs.ts:step", "evaluate");
await deploy("child-runs.ts:parent", "pipeline");
const parentId = ((await env.api("GET", "/deployments")) as { deployments: { id: string; name: string }[] }).deployments.find((d) => d.name === "pipeline")!.id;
const agent = env.startAgent(["--limit", "4", "--name", "children-agent"]);

describe("runDeployment from a TypeScript flow on a real agent", () => {
  it("a parent with two children waits for both and gets them Completed; each child names its parent", { timeout: 120_000 }, async () => {
    const id = await startParent("two");
    const parent = await ended(id);
    expect(parent.state.type, JSON.stringify(parent.state) + agent.output()).toBe("COMPLETED");
    const children = await childrenOf(id);
    expect(children.map((c) => [c.deploymentName, c.state.type]).sort()).toEqual([
      ["evaluate", "COMPLETED"],
      ["train", "COMPLETED"],
    ]);
    expect(children.every((c) => c.parentRunId === id)).toBe(true);
    const train = children.find((c) => c.deploymentName === "train")!;
    expect(await logLines(train.id)).toContain("step done epochs=2");
    expect(await logLines(id)).toContainEqual(expect.stringMatching(/^children \S+=COMPLETED \S+=COMPLETED$/));
  });

  it("a failing child fails the parent's call with the child's message", { timeout: 120_000 }, async () => {
    const id = await startParent("failing");
    const parent = await ended(id);
    const [child] = await childrenOf(id);
    expect(child.state.type).toBe("FAILED");
    expect(child.state.message).toContain("no training data for 3 epochs");
    expect(parent.state.type).toBe("FAILED");
    expect(parent.state.message).toContain(`Child run ${child.name} of train-step/train failed: `);
    expect(parent.state.message).toContain("no training data for 3 epochs");
    expect(await logLines(id)).toContain("caught child FAILED");
  });

  it("parameters the child's schema refuses fail the parent's call, naming the field; no child is made", { timeout: 120_000 }, async () => {
    const id = await startParent("bad-params");
    const parent = await ended(id);
    expect(parent.state.type).toBe("FAILED");
    expect(parent.state.message).toMatch(/Could not start a child run of train-step\/train: The parameters do not match the deployment's schema: epochs/);
    expect(await childrenOf(id)).toEqual([]);
  });

  it("cancelling a waiting parent stops its running children", { timeout: 150_000 }, async () => {
    const id = await startParent("slow");
    const running = await waitFor(
      async () => {
        const cs = await childrenOf(id);
        return cs.length === 2 && cs.every((c) => c.state.type === "RUNNING") && cs;
      },
      { timeoutMs: 60_000, what: "both children running" },
    );
    const cancel = await env.cli(["runs", "cancel", id]);
    expect(cancel.code, cancel.stderr + cancel.stdout).toBe(0);
    expect((await ended(id, 60_000)).state.type).toBe("CANCELLED");
    for (const c of running) {
      const child = await ended(c.id, 60_000);
      expect(child.state.type).toBe("CANCELLED");
    }
    const [c] = running;
    const { rows } = await env.db.$client.query<{ message: string | null }>("select message from flow_run_states where flow_run_id = $1 and type = 'CANCELLING'", [c.id]);
    expect(rows[0].message).toContain("Cancelled with its parent run");
  });

  it("from a script (an ad-hoc parent run) the children run on the agent; with no Baton it says where it works", { timeout: 120_000 }, async () => {
    const adhoc = await callParent("two", { BATON_API_URL: env.apiUrl, BATON_API_KEY: env.key });
    expect(adhoc.stdout, adhoc.stderr).toContain("RESULT ok");
    const { runs } = (await env.api("GET", "/flow-runs?limit=200")) as { runs: (Run & { deploymentId: string | null })[] };
    const parentRun = runs.find((r) => r.deploymentId === null && r.name.startsWith("ml-parent on "))!;
    expect(parentRun.state.type).toBe("COMPLETED");
    expect((await childrenOf(parentRun.id)).map((c) => c.state.type)).toEqual(["COMPLETED", "COMPLETED"]);

    const local = await callParent("two", { BATON_API_URL: undefined, BATON_API_KEY: undefined });
    expect(local.stdout).toContain('THREW runDeployment("train-step/train") starts a child of the current run: call it inside a flow that runs in Baton');
  });
});

/** Runs tests/fixtures/flows/call-parent.ts as a user's script would, with its own empty BATON_HOME. */
function callParent(mode: string, extraEnv: Record<string, string | undefined>): Promise<CliResult> {
  return new Promise((resolve) => {
    const e: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: fs.mkdtempSync(path.join(os.tmpdir(), "baton-nohome-")), ...extraEnv };
    for (const [k, v] of Object.entries(extraEnv)) if (v === undefined) delete e[k];
    const child = spawn(process.execPath, ["--import", "tsx", path.join(FLOWS_DIR, "call-parent.ts"), mode], { cwd: FLOWS_DIR, env: e });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
