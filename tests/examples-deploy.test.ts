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
});
