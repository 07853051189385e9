import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { flowRunStates } from "../server/db/schema";
import { waitFor } from "./helpers/app-process";
import { startCliEnvironment, runIdOf } from "./helpers/cli";

const env = await startCliEnvironment();

type TaskRun = { id: string; taskKey: string; dynamicKey: string; state: { type: string; name: string }; upstreamTaskRunIds: string[] };


describe("deploy → run --watch through a real agent", () => {
  const agent = env.startAgent(["--limit", "4", "--name", "flows-agent"]);

  it("runs a TypeScript flow: Completed, logs in order, task runs with their dependency edges", { timeout: 120_000 }, async () => {
    const deployed = await env.cli(["deploy", "pipeline.ts:pipeline", "--name", "nightly", "--param", "n=4"]);
    expect(deployed.stderr).toBe("");
    expect(deployed.stdout).toMatch(/^Created: pipeline\/nightly \([0-9a-f-]+\) in pool "default", no schedule/m);
    const again = await env.cli(["deploy", "pipeline.ts:pipeline", "--name", "nightly", "--param", "n=4"]);
    expect(again.stdout).toMatch(/^Unchanged: pipeline\/nightly/m);

    const run = await env.cli(["run", "pipeline/nightly", "--param", "label=test", "--watch"]);
    expect(run.stderr + agent.output()).not.toContain("Error");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/state Completed/);
    const id = runIdOf(run.stdout);
    const lines: string[] = (await env.api("GET", `/flow-runs/${id}/logs?limit=1000`)).logs.map((l: { message: string }) => l.message);
    expect(lines[0]).toBe("start test n=4");
    expect(lines.filter((l) => l.startsWith("line "))).toEqual(["line 1", "line 2", "line 3", "line 4", "line 5"]);
    expect(lines).toContain("printed to stdout");
    expect(lines.at(-1)).toBe("total 50");
    // The watcher printed the same lines.
    expect(run.stdout).toContain("total 50");

    const { taskRuns } = (await env.api("GET", `/flow-runs/${id}/task-runs`)) as { taskRuns: TaskRun[] };
    const byKey = Object.fromEntries(taskRuns.map((t) => [t.taskKey, t]));
    expect(Object.keys(byKey).sort()).toEqual(["double", "extract", "square", "total"]);
    expect(taskRuns.every((t) => t.state.type === "COMPLETED")).toBe(true);
    expect(byKey.double.upstreamTaskRunIds).toEqual([byKey.extract.id]);
    expect(byKey.square.upstreamTaskRunIds).toEqual([byKey.extract.id]);
    expect(byKey.total.upstreamTaskRunIds.sort()).toEqual([byKey.double.id, byKey.square.id].sort());
    const { artifacts } = await env.api("GET", `/flow-runs/${id}/artifacts`);
    expect(artifacts.map((a: { key: string; data: unknown }) => [a.key, a.data])).toEqual([["pipeline-summary", { markdown: "# total 50" }]]);
  });

  it("ends a flow that always fails with retries 2 as Failed after 3 attempts, AwaitingRetry in its history", { timeout: 120_000 }, async () => {
    expect((await env.cli(["deploy", "pipeline.ts:alwaysFails", "--name", "flaky"])).code).toBe(0);
    const run = await env.cli(["run", "always-fails/flaky", "--watch"]);
    expect(run.code).toBe(1);
    const id = runIdOf(run.stdout);
    const r = await env.api("GET", `/flow-runs/${id}`);
    expect(r.state).toMatchObject({ type: "FAILED", name: "Failed" });
    expect(r.state.message).toContain("boom: this flow always fails");
    expect(r.attempt).toBe(3);
    const history = await env.db.select().from(flowRunStates).where(eq(flowRunStates.flowRunId, id)).orderBy(asc(flowRunStates.id));
    expect(history.map((h) => `${h.attempt}:${h.name}`)).toEqual([
      "0:Scheduled", "1:Pending", "1:Running", "1:AwaitingRetry",
      "2:Pending", "2:Running", "2:AwaitingRetry",
      "3:Pending", "3:Running", "3:Failed",
    ]);
  });

  it("reads a cached task from the cache on the second run", { timeout: 120_000 }, async () => {
    expect((await env.cli(["deploy", "pipeline.ts:cached", "--name", "cache-me"])).code).toBe(0);
    const states = async () => {
      const run = await env.cli(["run", "cached/cache-me", "--param", "x=5", "--watch"]);
      expect(run.code).toBe(0);
      const { taskRuns } = (await env.api("GET", `/flow-runs/${runIdOf(run.stdout)}/task-runs`)) as { taskRuns: TaskRun[] };
      return taskRuns.map((t) => `${t.taskKey}:${t.state.name}`);
    };
    expect(await states()).toEqual(["expensive:Completed"]);
    expect(await states()).toEqual(["expensive:Cached"]);
  });

  it("stops a run past its deployment's timeout: TimedOut", { timeout: 120_000 }, async () => {
    expect((await env.cli(["deploy", "pipeline.ts:slow", "--name", "short-fuse", "--timeout", "2"])).code).toBe(0);
    const run = await env.cli(["run", "slow/short-fuse", "--watch"]);
    expect(run.code).toBe(1);
    const r = await env.api("GET", `/flow-runs/${runIdOf(run.stdout)}`);
    expect(r.state).toMatchObject({ type: "FAILED", name: "TimedOut" });
  });

  it("keeps a paused deployment paused when it is deployed again", { timeout: 60_000 }, async () => {
    expect((await env.cli(["deployments", "pause", "pipeline/nightly"])).stdout).toContain("Paused pipeline/nightly");
    expect((await env.cli(["deploy", "pipeline.ts:pipeline", "--name", "nightly", "--param", "n=4"])).stdout).toMatch(/^Unchanged: pipeline\/nightly/m);
    const paused = () => env.cli(["deployments", "ls", "--json"]).then((r) => JSON.parse(r.stdout).find((d: { name: string }) => d.name === "nightly").paused);
    expect(await paused()).toBe(true);
    expect((await env.cli(["deployments", "resume", "pipeline/nightly"])).code).toBe(0);
    expect(await paused()).toBe(false);
  });

  it("lists what it made with --json", async () => {
    const ls = await env.cli(["deployments", "ls", "--json"]);
    const names = JSON.parse(ls.stdout).map((d: { flowName: string; name: string }) => `${d.flowName}/${d.name}`);
    expect(names).toEqual(expect.arrayContaining(["pipeline/nightly", "always-fails/flaky"]));
    const agents = JSON.parse((await env.cli(["agents", "ls", "--json"])).stdout);
    expect(agents.find((a: { name: string }) => a.name === "flows-agent")).toMatchObject({ online: true, workPool: "default" });
    await waitFor(async () => agent.child.exitCode === null, { what: "agent alive" });
  });
});
