import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FLOWS_DIR, startCliEnvironment, type CliResult } from "./helpers/cli";

const env = await startCliEnvironment();

/** Runs a flow of tests/fixtures/flows/pipeline.ts by calling it from a script, as a user would. */
function callFlow(name: string, params: unknown, extraEnv: Record<string, string | undefined>): Promise<CliResult> {
  return new Promise((resolve) => {
    const e: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
    for (const [k, v] of Object.entries(extraEnv)) if (v === undefined) delete e[k];
    const child = spawn(process.execPath, ["--import", "tsx", path.join(FLOWS_DIR, "call-flow.ts"), name, JSON.stringify(params)], { cwd: FLOWS_DIR, env: e });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}


const emptyHome = () => fs.mkdtempSync(path.join(os.tmpdir(), "baton-nohome-"));

describe("calling a flow outside an agent", () => {
  it("with a key (BATON_API_URL + BATON_API_KEY) it creates an ad-hoc run that reports states, task runs, logs and artifacts", { timeout: 60_000 }, async () => {
    const res = await callFlow("pipeline", { n: 2, label: "adhoc" }, { BATON_HOME: emptyHome(), BATON_API_URL: env.apiUrl, BATON_API_KEY: env.key });
    expect(res.stderr).toBe("");
    expect(res.stdout.trim().split("\n").at(-1)).toBe("RESULT 11");
    const { runs } = await env.api("GET", "/flow-runs?limit=5");
    const run = runs.find((r: { flowName: string; deploymentId: string | null }) => r.flowName === "pipeline" && r.deploymentId === null);
    expect(run.state).toMatchObject({ type: "COMPLETED" });
    expect(run.parameters).toEqual({ n: 2, label: "adhoc" });
    const { taskRuns } = await env.api("GET", `/flow-runs/${run.id}/task-runs`);
    expect(taskRuns.map((t: { taskKey: string; state: { name: string } }) => `${t.taskKey}:${t.state.name}`).sort()).toEqual(["double:Completed", "extract:Completed", "square:Completed", "total:Completed"]);
    const { logs } = await env.api("GET", `/flow-runs/${run.id}/logs`);
    // Logger lines reach Baton; plain console output of an ad-hoc run stays in the terminal.
    expect(logs.map((l: { message: string }) => l.message)).toEqual(["start adhoc n=2", "line 1", "line 2", "line 3", "line 4", "line 5", "total 11"]);
    expect(res.stdout).toContain("printed to stdout");
  });

  it("records a `waitFor` dependency, which no input carries", { timeout: 60_000 }, async () => {
    const res = await callFlow("waited", {}, { BATON_HOME: emptyHome(), BATON_API_URL: env.apiUrl, BATON_API_KEY: env.key });
    expect(res.stdout).toMatch(/RESULT "model@\d+"/);
    const { runs } = await env.api("GET", "/flow-runs?limit=5");
    const run = runs.find((r: { flowName: string }) => r.flowName === "waited");
    const { taskRuns } = await env.api("GET", `/flow-runs/${run.id}/task-runs`);
    const byKey = Object.fromEntries(taskRuns.map((t: { taskKey: string }) => [t.taskKey, t]));
    expect(byKey.publish.upstreamTaskRunIds).toEqual([byKey.stamp.id]);
    expect(byKey.stamp.upstreamTaskRunIds).toEqual([]);
  });

  it("an ad-hoc run that fails after its in-process retries ends FAILED with the error", { timeout: 60_000 }, async () => {
    const res = await callFlow("alwaysFails", {}, { BATON_HOME: emptyHome(), BATON_API_URL: env.apiUrl, BATON_API_KEY: env.key });
    expect(res.code).toBe(3);
    expect(res.stdout).toContain("THREW boom: this flow always fails");
    const { runs } = await env.api("GET", "/flow-runs?limit=5");
    const run = runs.find((r: { flowName: string }) => r.flowName === "always-fails");
    expect(run.state).toMatchObject({ type: "FAILED", message: "boom: this flow always fails" });
    const { logs } = await env.api("GET", `/flow-runs/${run.id}/logs`);
    expect(logs.filter((l: { message: string }) => l.message === "about to fail")).toHaveLength(3);
  });

  it("with no profile it runs locally and logs to the console; bad parameters are a clear error", { timeout: 60_000 }, async () => {
    const local = await callFlow("pipeline", { n: 3 }, { BATON_HOME: emptyHome(), BATON_API_URL: undefined, BATON_API_KEY: undefined });
    expect(local.stdout).toMatch(/INFO +start numbers n=3/);
    expect(local.stdout).toMatch(/\[artifact markdown pipeline-summary\]/);
    expect(local.stdout.trim().split("\n").at(-1)).toBe("RESULT 26");
    const bad = await callFlow("pipeline", { n: "three" }, { BATON_HOME: emptyHome(), BATON_API_URL: undefined, BATON_API_KEY: undefined });
    expect(bad.stdout).toContain('THREW Invalid parameters for flow "pipeline": n: Invalid input: expected number, received string');
  });
});
