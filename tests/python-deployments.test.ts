// Python flow deployments end to end: `baton deploy` asks the interpreter about the flow, the real
// agent runs it with `python -m baton.run` inside its runner, and a real python3 does the work.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { alive, startCliEnvironment } from "./helpers/cli";
import { waitFor } from "./helpers/app-process";
import { PY_FIXTURES } from "./helpers/python";

const EXAMPLE = path.resolve(import.meta.dirname, "../examples/ml-pipeline-python");
const env = await startCliEnvironment();

type Run = { id: string; state: { type: string; name: string; message: string | null } };
type TaskRun = { id: string; name: string; attempt: number; upstreamTaskRunIds: string[]; state: { type: string; name: string } };
type Log = { level: string; message: string; taskRunId: string | null };

async function deployed(args: string[], cwd = PY_FIXTURES) {
  const res = await env.cli(["deploy", ...args, "--json"], { cwd });
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout)[0].deployment as { id: string; parameterSchema: Record<string, unknown>; python: string | null };
}

async function startRun(deploymentId: string, parameters: Record<string, unknown> = {}): Promise<string> {
  const { run } = await env.api("POST", `/deployments/${deploymentId}/runs`, { parameters });
  expect(run?.id).toBeTruthy();
  return run.id;
}

const runOf = (id: string) => env.api("GET", `/flow-runs/${id}`) as Promise<Run>;
const ended = (id: string, timeoutMs = 60_000) =>
  waitFor(async () => {
    const r = await runOf(id);
    return ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"].includes(r.state.type) && r;
  }, { timeoutMs, what: `run ${id} to end` });
const logsOf = async (id: string) => ((await env.api("GET", `/flow-runs/${id}/logs?limit=1000`)) as { logs: Log[] }).logs;
const taskRunsOf = async (id: string) => ((await env.api("GET", `/flow-runs/${id}/task-runs`)) as { taskRuns: TaskRun[] }).taskRuns;
/** The Python process's pid, from the "PID n" line the sleeper flow prints first. */
const pythonPid = (id: string) => waitFor(async () => Number(/^PID (\d+)$/m.exec((await logsOf(id)).map((l) => l.message).join("\n"))?.[1]) || undefined, { what: "the flow's PID line" });

describe("deploying a Python flow", () => {
  it("deploys examples/ml-pipeline-python from its baton.yaml, idempotently, with the schema of main_flow's signature", { timeout: 60_000 }, async () => {
    const first = await env.cli(["deploy"], { cwd: EXAMPLE });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Created: train-taxi-model-python\/taxi-daily-python \([0-9a-f-]{36}\) in pool "default", cron "0 6 \* \* \*" \(Europe\/Berlin\)/m);
    const again = await env.cli(["deploy"], { cwd: EXAMPLE });
    expect(again.stdout).toMatch(/^Unchanged: train-taxi-model-python\/taxi-daily-python/m);
    const { deployments } = await env.api("GET", "/deployments");
    const d = (deployments as { name: string; id: string }[]).find((x) => x.name === "taxi-daily-python")!;
    const full = await env.api("GET", `/deployments/${d.id}`);
    expect(full).toMatchObject({ kind: "flow", entrypoint: "flows/train.py:main_flow", python: "python3", retries: 1, tags: ["ml", "taxi", "python"], timeoutSeconds: 600 });
    expect(full.description).toBe("Train a linear regression on January's green-taxi trips and validate on February's");
    expect(full.parameterSchema.properties).toMatchObject({
      train_path: { type: "string", default: "data/green-trips-train.csv", description: "CSV of the trips to train on, relative to the run's working directory" },
      val_path: { type: "string", default: "data/green-trips-val.csv" },
      top_pairs: { type: "integer", default: 50 },
    });
  });

  it("refuses what the interpreter refuses, with Python's message and line, and deploys nothing", { timeout: 60_000 }, async () => {
    const cases: [string[], RegExp][] = [
      [["deployed.py:nope", "--name", "x"], /deployed\.py:nope: .*nope/],
      [["missing.py:flow", "--name", "x"], /No such file: .*missing\.py/],
      [["syntax_error.py:oops", "--name", "x"], /syntax_error\.py:oops: .*invalid syntax.*\(syntax_error\.py, line 5\)/s],
      [["deployed.py:plain_function", "--name", "x"], /plain_function.* not a flow/],
      [["deployed.py:levels", "--name", "x", "--python", "./no-such-venv/bin/python"], /No such Python interpreter: .*no-such-venv\/bin\/python does not exist/],
      [["deployed.py:levels", "--name", "x", "--python", "no-such-python3"], /No such Python interpreter: `no-such-python3` on PATH does not exist/],
    ];
    for (const [args, message] of cases) {
      const res = await env.cli(["deploy", ...args], { cwd: PY_FIXTURES });
      expect(res.code, args.join(" ")).toBe(2);
      expect(res.stderr).toMatch(message);
    }
    const { deployments } = await env.api("GET", "/deployments");
    expect((deployments as { name: string }[]).map((d) => d.name)).not.toContain("x");
    // `python:` belongs to Python flows only.
    const command = await env.cli(["deploy", "--command", "true", "--name", "y", "--python", "python3"], { cwd: PY_FIXTURES });
    expect(command.stderr).toMatch(/--python: python is the interpreter of a Python flow/);
  });
});

describe("a Python deployment on a real agent", () => {
  it("runs the ML example: task runs with their edges, printed and logged lines, both artifacts, and the cached features the second time", { timeout: 120_000 }, async () => {
    const { deployments } = await env.api("GET", "/deployments");
    const d = (deployments as { name: string; id: string }[]).find((x) => x.name === "taxi-daily-python")!;
    const agent = env.startAgent(["--workdir", EXAMPLE, "--name", "example-agent"]);
    try {
      const id = await startRun(d.id, { top_pairs: 20 });
      const run = await ended(id);
      expect(run.state.type, JSON.stringify(run.state) + agent.output()).toBe("COMPLETED");
      const tasks = await taskRunsOf(id);
      const named = (n: string) => tasks.filter((t) => t.name === n);
      expect(tasks.map((t) => t.name).sort()).toEqual(["add_features", "clean", "clean", "evaluate", "evaluate", "publish", "read_data", "read_data", "train_best_model"]);
      const [train] = named("train_best_model");
      expect(train.upstreamTaskRunIds).toHaveLength(2);
      expect(train.upstreamTaskRunIds).toContain(named("add_features")[0].id);
      expect(named("publish")[0].upstreamTaskRunIds.sort()).toEqual([train.id, ...named("evaluate").map((t) => t.id)].sort());

      const logs = await logsOf(id);
      expect(logs.find((l) => l.message.startsWith("fitted 22 weights on 2968 trips"))).toMatchObject({ level: "info", taskRunId: train.id });
      expect(logs.find((l) => /^validation RMSE \d+\.\d{3} min$/.test(l.message))).toMatchObject({ level: "info", taskRunId: null });
      const { artifacts } = await env.api("GET", `/flow-runs/${id}/artifacts`);
      const byKey = Object.fromEntries((artifacts as { key: string; type: string; data: { markdown?: string; rows?: unknown[] } }[]).map((a) => [a.key, a]));
      expect(byKey["taxi-model-metrics-python"].data.markdown).toMatch(/\| validation \| 732 \| \d+\.\d{3} \|/);
      expect(byKey["taxi-model-coefficients-python"]).toMatchObject({ type: "table" });
      expect(byKey["taxi-model-coefficients-python"].data.rows).toHaveLength(23);

      const second = await ended(await startRun(d.id, { top_pairs: 20 }));
      expect(second.state.type).toBe("COMPLETED");
      const cached = (await taskRunsOf(second.id)).find((t) => t.name === "add_features");
      expect(cached?.state).toMatchObject({ type: "COMPLETED", name: "Cached" });
    } finally {
      agent.child.kill("SIGTERM");
      await agent.exited;
    }
  });

  it("keeps log levels: Python logging's warning, retries of a task, stderr lines as info unless they name a level; a failure's message is the exception's last line", { timeout: 90_000 }, async () => {
    const levels = await deployed(["deployed.py:levels", "--name", "levels"]);
    const broken = await deployed(["deployed.py:broken", "--name", "broken"]);
    const agent = env.startAgent(["--workdir", PY_FIXTURES, "--name", "fixtures-agent"]);
    try {
      const ok = await ended(await startRun(levels.id, { label: "abc" }));
      expect(ok.state.type, agent.output()).toBe("COMPLETED");
      const logs = await logsOf(ok.id);
      const line = (m: string) => logs.find((l) => l.message.includes(m));
      expect(line("python logging warning abc")).toMatchObject({ level: "warning" });
      expect(line("tries: 3")).toMatchObject({ level: "info" });
      expect((await taskRunsOf(ok.id)).find((t) => t.name === "shaky")).toMatchObject({ attempt: 3, state: { type: "COMPLETED" } });
      expect(line("progress 50%")).toMatchObject({ level: "info" });
      expect(line("WARNING:legacy:an old-style logging line")).toMatchObject({ level: "warning" });

      const failed = await ended(await startRun(broken.id));
      expect(failed.state).toMatchObject({ type: "FAILED", message: "ValueError: the input table is empty" });
      const tb = await logsOf(failed.id);
      expect(tb.find((l) => l.message === "Traceback (most recent call last):")).toMatchObject({ level: "error" });
      expect(tb.filter((l) => l.message === "ValueError: the input table is empty").map((l) => l.level)).toContain("error");

      // A parameter of the wrong type is refused when the run is created, naming it.
      const sleeper = await deployed(["deployed.py:sleeper", "--name", "sleeper"]);
      const bad = await env.cli(["run", "py-sleeper/sleeper", "--param", "ticks=many"]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/ticks/);
      expect(sleeper.parameterSchema).toMatchObject({ properties: { ticks: { type: "integer", default: 240 } } });
    } finally {
      agent.child.kill("SIGTERM");
      await agent.exited;
    }
  });

  it("cancel stops the Python process within the grace period; the deployment's timeout ends it TimedOut; a missing interpreter fails the run saying which", { timeout: 120_000 }, async () => {
    const sleeper = await deployed(["deployed.py:sleeper", "--name", "sleeper"]);
    const timed = await deployed(["deployed.py:sleeper", "--name", "sleeper-timeout", "--timeout", "3"]);
    const agent = env.startAgent(["--workdir", PY_FIXTURES, "--name", "cancel-agent"]);
    try {
      const id = await startRun(sleeper.id);
      const pid = await pythonPid(id);
      expect(alive(pid)).toBe(true);
      const cancelledAt = Date.now();
      const res = await env.cli(["runs", "cancel", id]);
      expect(res.code, res.stderr).toBe(0);
      const run = await ended(id, 20_000);
      expect(run.state.type).toBe("CANCELLED");
      await waitFor(async () => !alive(pid), { timeoutMs: 10_000, what: "the Python process to be gone" });
      expect(Date.now() - cancelledAt).toBeLessThan(15_000);

      const t = await ended(await startRun(timed.id), 30_000);
      expect(t.state).toMatchObject({ type: "FAILED", name: "TimedOut" });
      expect(t.state.message).toMatch(/Timed out after 3 s/);

      // python: in the API (as a baton.yaml would give it) naming an interpreter this machine lacks.
      const put = await env.api("PUT", "/deployments", { flowName: "py-sleeper", name: "sleeper-venv", kind: "flow", entrypoint: "deployed.py:sleeper", python: ".venv/bin/python" });
      const missing = await ended(await startRun(put.deployment.id));
      expect(missing.state.type).toBe("FAILED");
      expect(missing.state.message).toBe(`No such Python interpreter: ${path.join(PY_FIXTURES, ".venv/bin/python")} does not exist. Set \`python:\` on the deployment (e.g. .venv/bin/python) or start the agent with --python PATH.`);
    } finally {
      agent.child.kill("SIGTERM");
      await agent.exited;
    }
  });

  it("a secret read with Secret.load under an agent is masked in the run's logs", { timeout: 60_000 }, async () => {
    const value = `py-secret-${Date.now()}`;
    expect((await env.cli(["secret", "set", "py-token"], { input: value })).code).toBe(0);
    const put = await env.api("PUT", "/deployments", { flowName: "py-reads-secret", name: "reads-secret", kind: "flow", entrypoint: "deployed.py:reads_secret", secrets: ["py-token"] });
    expect(put.deployment?.id, JSON.stringify(put)).toBeTruthy();
    const agent = env.startAgent(["--workdir", PY_FIXTURES, "--name", "secret-agent"]);
    try {
      const run = await ended(await startRun(put.deployment.id));
      expect(run.state.type, agent.output()).toBe("COMPLETED");
      const messages = (await logsOf(run.id)).map((l) => l.message);
      expect(messages).toContain("the token is ***");
      expect(messages).toContain("printed: ***");
      expect(JSON.stringify(messages)).not.toContain(value);
    } finally {
      agent.child.kill("SIGTERM");
      await agent.exited;
    }
  });

  it("kill -9 of the agent: the Python process is gone within the lease and the run is Crashed", { timeout: 90_000 }, async () => {
    const sleeper = await deployed(["deployed.py:sleeper", "--name", "sleeper"]);
    const agent = env.startAgent(["--workdir", PY_FIXTURES, "--name", "killed-agent"]);
    const id = await startRun(sleeper.id);
    const pid = await pythonPid(id);
    const killedAt = Date.now();
    agent.child.kill("SIGKILL");
    await agent.exited;
    await waitFor(async () => !alive(pid), { timeoutMs: 20_000, what: "the Python process to stop itself" });
    const goneAfter = Date.now() - killedAt;
    const run = await ended(id, 30_000);
    expect(run.state.type).toBe("CRASHED");
    // The lease is 10 s and the kill grace 3 s (agent/protocol/leases.ts).
    expect(goneAfter).toBeLessThan(15_000);
  });

  it("an agent refuses a --python it cannot start", { timeout: 30_000 }, async () => {
    const agent = env.startAgent(["--python", "/nonexistent/python3"]);
    expect(await agent.exited).toBe(2);
    expect(agent.output()).toMatch(/--python \/nonexistent\/python3: no such interpreter/);
  });
});
