import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startCliEnvironment, runIdOf } from "./helpers/cli";

const env = await startCliEnvironment();
const EXAMPLES = path.resolve(import.meta.dirname, "../examples");


describe("the examples deploy from their baton.yaml and run on an agent", () => {
  it("ml-pipeline: deployed daily with its parameter schema; a run trains the model and publishes the RMSE", { timeout: 180_000 }, async () => {
    const cwd = path.join(EXAMPLES, "ml-pipeline");
    const deployed = await env.cli(["deploy"], { cwd });
    expect(deployed.stderr).toBe("");
    expect(deployed.stdout).toMatch(/^Created: train-taxi-model\/taxi-daily .* cron "0 6 \* \* \*" \(Europe\/Berlin\)/m);
    expect((await env.cli(["deploy"], { cwd })).stdout).toMatch(/^Unchanged: train-taxi-model\/taxi-daily/m);
    const [d] = JSON.parse((await env.cli(["deployments", "ls", "--json"])).stdout).filter((x: { name: string }) => x.name === "taxi-daily");
    expect(d.parameterSchema.properties.validationFraction).toMatchObject({ type: "number", minimum: 0.05, maximum: 0.5 });
    expect(d).toMatchObject({ retries: 1, timeoutSeconds: 600, tags: ["ml", "taxi"], description: "Daily retrain of the taxi-duration model" });

    // A parameter outside the schema is refused before a run exists.
    const bad = await env.cli(["run", "train-taxi-model/taxi-daily", "--param", "validationFraction=0.9"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("validationFraction");

    const agent = env.startAgent(["--workdir", cwd]);
    const run = await env.cli(["run", "train-taxi-model/taxi-daily", "--param", "topPairs=20", "--watch"], { cwd });
    expect(run.code).toBe(0);
    const id = runIdOf(run.stdout);
    const { artifacts } = await env.api("GET", `/flow-runs/${id}/artifacts`);
    const metrics = artifacts.find((a: { key: string }) => a.key === "taxi-model-metrics");
    expect(metrics.data.markdown).toMatch(/RMSE/i);
    const { taskRuns } = await env.api("GET", `/flow-runs/${id}/task-runs`);
    expect(taskRuns.every((t: { state: { type: string } }) => t.state.type === "COMPLETED")).toBe(true);
    expect(taskRuns.filter((t: { upstreamTaskRunIds: string[] }) => t.upstreamTaskRunIds.length > 0).length).toBeGreaterThan(3);
    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
  });

  it("python-command: a standard-library training script with its parameters", { timeout: 120_000 }, async () => {
    const cwd = path.join(EXAMPLES, "python-command");
    expect((await env.cli(["deploy"], { cwd })).stdout).toMatch(/^Created: python-train\/python-train .* every 3600 s/m);
    // The schema declared in baton.yaml: the Run form's fields, and a misfit refused before a run exists.
    const [d] = JSON.parse((await env.cli(["deployments", "ls", "--json"])).stdout).filter((x: { name: string }) => x.name === "python-train");
    expect(d.parameterSchema.properties.epochs).toMatchObject({ type: "integer", minimum: 1 });
    const bad = await env.cli(["run", "python-train", "--param", "epochs=0"], { cwd });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("epochs");
    const agent = env.startAgent(["--workdir", cwd]);
    const ok = await env.cli(["run", "python-train", "--param", "epochs=50", "--watch"], { cwd });
    expect(ok.code).toBe(0);
    const { logs } = await env.api("GET", `/flow-runs/${runIdOf(ok.stdout)}/logs`);
    const lines = logs.map((l: { message: string }) => l.message);
    expect(lines).toContain(lines.find((l: string) => /^epoch 50 loss/.test(l)));
    expect(lines.at(-1)).toMatch(/^final rmse=/);
    const failed = await env.cli(["run", "python-train", "--param", "fail=true", "--watch"], { cwd });
    expect(failed.code).toBe(1);
    expect((await env.api("GET", `/flow-runs/${runIdOf(failed.stdout)}`)).state).toMatchObject({ type: "FAILED" });
    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
  });

  it("git-source: deployed from a git repository, run from the agent's code cache with its setup step, the commit recorded", { timeout: 120_000 }, async () => {
    const cwd = path.join(EXAMPLES, "git-source");
    fs.rmSync("/tmp/baton-example-pipelines.git", { recursive: true, force: true });
    const made = execFileSync(path.join(cwd, "make-repo.sh"), { encoding: "utf8" });
    const commit = /^Pushed ([0-9a-f]{40}) to file:\/\/\/tmp\/baton-example-pipelines\.git/.exec(made)?.[1];
    expect(commit, made).toBeTruthy();
    const deployed = await env.cli(["deploy"], { cwd });
    expect(deployed.stdout).toMatch(/^Created: python-train-git\/train-from-git .* code: file:\/\/\/tmp\/baton-example-pipelines\.git at main, folder training$/m);
    const agent = env.startAgent(["--cache-dir", fs.mkdtempSync(path.join(os.tmpdir(), "baton-cache-"))]);
    const ok = await env.cli(["run", "python-train-git/train-from-git", "--watch"], { cwd });
    expect(ok.code, ok.stdout + agent.output()).toBe(0);
    const id = runIdOf(ok.stdout);
    expect((await env.api("GET", `/flow-runs/${id}`)).sourceCommit).toBe(commit);
    const { logs } = await env.api("GET", `/flow-runs/${id}/logs`);
    const lines = logs.map((l: { message: string }) => l.message);
    expect(lines).toContain("setting up for numpy>=1.26  # not installed by the exam");
    expect(lines.find((l: string) => l.startsWith("Code: "))).toBe(`Code: file:///tmp/baton-example-pipelines.git at ${commit!.slice(0, 12)} (main), ready in ${/ready in (\d+\.\d) s/.exec(lines.join("\n"))?.[1]} s`);
    expect(lines.at(-1)).toMatch(/^final rmse=/);
    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
  });
});
