import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runBaton, startCliEnvironment } from "./helpers/cli";
import { waitFor } from "./helpers/app-process";
import { pythonEnv, runPython, startPython } from "./helpers/python";

const env = await startCliEnvironment();
const withKey = () => pythonEnv({ BATON_API_URL: env.apiUrl, BATON_API_KEY: env.key });

type Run = { id: string; flowName: string; deploymentId: string | null; parameters: Record<string, unknown>; state: { type: string; name: string; message: string | null } };
type TaskRun = { id: string; name: string; taskKey: string; attempt: number; upstreamTaskRunIds: string[]; state: { type: string; name: string } };

async function runsOf(flowName: string): Promise<Run[]> {
  const { runs } = await env.api("GET", "/flow-runs?limit=50");
  return (runs as Run[]).filter((r) => r.flowName === flowName);
}

describe("the Python SDK, ad hoc (python3 script.py with a key)", () => {
  it("creates a run with its task runs, edges, retries, log levels, printed lines, artifacts, and a cache hit the second time", { timeout: 90_000 }, async () => {
    const first = await runPython(["pipeline.py", JSON.stringify({ n: 3, day: "2024-05-06" })], { env: withKey() });
    expect(first.stdout.trim().split("\n").at(-1), first.stderr).toBe("RESULT 14");
    const [run] = await runsOf("py-pipeline");
    expect(run.deploymentId).toBeNull();
    expect(run.state.type).toBe("COMPLETED");
    expect(run.parameters).toEqual({ n: 3, day: "2024-05-06" });

    const { taskRuns } = (await env.api("GET", `/flow-runs/${run.id}/task-runs`)) as { taskRuns: TaskRun[] };
    const by = Object.fromEntries(taskRuns.map((t) => [t.name, t]));
    expect(Object.keys(by).sort()).toEqual(["expensive", "extract", "flaky", "publish", "square"]);
    expect(taskRuns.every((t) => t.state.type === "COMPLETED")).toBe(true);
    // Edges: a result passed on, a future passed on, and wait_for.
    expect(by.square.upstreamTaskRunIds).toEqual([by.extract.id]);
    expect(by.expensive.upstreamTaskRunIds).toEqual([by.square.id]);
    expect(by.publish.upstreamTaskRunIds.sort()).toEqual([by.expensive.id, by.flaky.id].sort());
    expect(by.extract.upstreamTaskRunIds).toEqual([]);
    // Failed twice, passed on its third try.
    expect(by.flaky.attempt).toBe(3);

    const { logs } = (await env.api("GET", `/flow-runs/${run.id}/logs?limit=1000`)) as { logs: { level: string; message: string; taskRunId: string | null }[] };
    const line = (m: string) => logs.find((l) => l.message.includes(m));
    expect(line("start n=3 day=2024-05-06 (date)")).toMatchObject({ level: "info", taskRunId: null });
    expect(line("squaring 3 numbers")).toMatchObject({ level: "warning", taskRunId: by.square.id });
    expect(line("squares of [1, 2, 3]")).toMatchObject({ level: "info", taskRunId: by.square.id });
    expect(line("flow printed 14")).toMatchObject({ level: "info", taskRunId: null });
    expect(logs.filter((l) => l.message.startsWith("Task flaky failed (ConnectionError: try")).map((l) => l.level)).toEqual(["warning", "warning"]);
    expect(line("computed expensive total")).toMatchObject({ level: "info", taskRunId: by.expensive.id });

    const { artifacts } = await env.api("GET", `/flow-runs/${run.id}/artifacts`);
    const kinds = Object.fromEntries((artifacts as { key: string; type: string; data: unknown; taskRunId: string }[]).map((a) => [a.key, a]));
    expect(kinds["py-summary"]).toMatchObject({ type: "markdown", data: { markdown: "# Total\n\n14" }, taskRunId: by.publish.id });
    expect(kinds["py-table"]).toMatchObject({ type: "table", data: { columns: ["name", "value"], rows: [{ name: "total", value: 14 }] } });

    // The same inputs again: the expensive task is read from the workspace cache.
    const second = await runPython(["pipeline.py", JSON.stringify({ n: 3 })], { env: withKey() });
    expect(second.stdout.trim().split("\n").at(-1), second.stderr).toBe("RESULT 14");
    const [again] = (await runsOf("py-pipeline")).filter((r) => r.id !== run.id);
    const { taskRuns: secondTasks } = (await env.api("GET", `/flow-runs/${again.id}/task-runs`)) as { taskRuns: TaskRun[] };
    expect(secondTasks.find((t) => t.name === "expensive")?.state).toMatchObject({ type: "COMPLETED", name: "Cached" });
    expect(secondTasks.find((t) => t.name === "square")?.state).toMatchObject({ type: "COMPLETED", name: "Completed" });
  });

  it("a parameter of the wrong type fails the run, naming the parameter", { timeout: 60_000 }, async () => {
    const res = await runPython(["pipeline.py", JSON.stringify({ n: "three", day: "tuesday" })], { env: withKey() });
    expect(res.code).toBe(3);
    expect(res.stdout).toContain(`THREW ParameterError: Invalid parameters for flow "py-pipeline": n: expected an integer, got 'three'; day: expected a date (YYYY-MM-DD), got 'tuesday'`);
  });

  it("a script killed with SIGKILL leaves its run Crashed within 15 s", { timeout: 60_000 }, async () => {
    const p = startPython(["slow.py"], { env: withKey() });
    await waitFor(async () => p.stdout().includes("PID"), { what: "the flow to start" });
    const [run] = await runsOf("py-slow");
    expect(run.state.type).toBe("RUNNING");
    p.child.kill("SIGKILL");
    const killedAt = Date.now();
    await p.done;
    const crashed = await waitFor(
      async () => {
        const r = await env.api("GET", `/flow-runs/${run.id}`);
        return r.state.type === "CRASHED" ? r : undefined;
      },
      { timeoutMs: 20_000, what: "the run to be Crashed" },
    );
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(crashed.state.type).toBe("CRASHED");
  });

  it("cancelling the run in Baton stops the script and the run ends Cancelled", { timeout: 60_000 }, async () => {
    const p = startPython(["slow.py"], { env: withKey() });
    await waitFor(async () => p.stdout().includes("PID"), { what: "the flow to start" });
    const run = (await runsOf("py-slow")).find((r) => r.state.type === "RUNNING")!;
    const res = await fetch(`${env.apiUrl}/api/v1/flow-runs/${run.id}/cancel`, { method: "POST", headers: { authorization: `Bearer ${env.key}` } });
    expect(res.status).toBeLessThan(300);
    const { code, stderr } = await p.done;
    expect(code).not.toBe(0);
    expect(stderr).toContain("Run cancelled in Baton: stopping flow py-slow.");
    const after = await env.api("GET", `/flow-runs/${run.id}`);
    expect(after.state.type).toBe("CANCELLED");
  });

  it("with a `baton login` profile (no key in the environment) the run appears in the workspace", { timeout: 60_000 }, async () => {
    // The real CLI writes the profile; the script gets only BATON_HOME, as on a laptop.
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "baton-py-profile-"));
    const login = await runBaton(["login", "--key", env.key, "--url", env.apiUrl], { env: { ...pythonEnv(), BATON_HOME: home } });
    expect(login.code, login.stderr).toBe(0);
    const before = (await runsOf("py-pipeline")).map((r) => r.id);
    const res = await runPython(["pipeline.py", JSON.stringify({ n: 2 })], { env: pythonEnv({ BATON_HOME: home }) });
    expect(res.stdout.trim().split("\n").at(-1), res.stderr).toBe("RESULT 5");
    const created = (await runsOf("py-pipeline")).filter((r) => !before.includes(r.id));
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ deploymentId: null, parameters: { n: 2 }, state: { type: "COMPLETED" } });
  });

  it("with no profile and no key it runs locally, logs to the console and exits 0", { timeout: 60_000 }, async () => {
    const res = await runPython(["pipeline.py", JSON.stringify({ n: 2 })], { env: pythonEnv() });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim().split("\n").at(-1)).toBe("RESULT 5");
    expect(res.stderr).toMatch(/INFO +\| start n=2 day=2024-01-01 \(date\)/);
    expect(res.stderr).toMatch(/WARNING +\| squaring 2 numbers/);
    expect(res.stdout).toContain("[artifact markdown py-summary]");
  });
});
