// run_deployment from a Python flow on a real agent: the parent waits for its train and evaluate
// children (tests/fixtures/python/children.py).
import { describe, expect, it } from "vitest";
import { waitFor } from "./helpers/app-process";
import { startCliEnvironment } from "./helpers/cli";
import { PY_FIXTURES } from "./helpers/python";

const env = await startCliEnvironment();

type Run = { id: string; name: string; deploymentName: string | null; parentRunId: string | null; state: { type: string; message: string | null } };
const FINAL = ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"];
const runOf = (id: string) => env.api("GET", `/flow-runs/${id}`) as Promise<Run>;
const ended = (id: string) => waitFor(async () => FINAL.includes((await runOf(id)).state.type) && runOf(id), { timeoutMs: 90_000, what: `run ${id} to end` });
const childrenOf = async (id: string) => ((await env.api("GET", `/flow-runs/${id}/children`)) as { runs: Run[] }).runs;
const logLines = async (id: string) => ((await env.api("GET", `/flow-runs/${id}/logs?limit=1000`)) as { logs: { message: string }[] }).logs.map((l) => l.message);

async function deploy(entry: string, name: string) {
  const res = await env.cli(["deploy", entry, "--name", name, "--json"], { cwd: PY_FIXTURES });
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout)[0].deployment as { id: string };
}
await deploy("children.py:step", "train");
await deploy("children.py:step", "evaluate");
const parent = await deploy("children.py:parent", "nightly");
const agent = env.startAgent(["--workdir", PY_FIXTURES, "--limit", "3", "--name", "py-children-agent"]);
const startParent = async (parameters: Record<string, unknown>) => ((await env.api("POST", `/deployments/${parent.id}/runs`, { parameters })) as { run: Run }).run.id;

describe("run_deployment from a Python flow on a real agent", () => {
  it("the parent runs train then evaluate as its children and waits for each", { timeout: 120_000 }, async () => {
    const id = await startParent({});
    const run = await ended(id);
    expect(run.state.type, JSON.stringify(run.state) + agent.output()).toBe("COMPLETED");
    const children = await childrenOf(id);
    expect(children.map((c) => [c.deploymentName, c.state.type, c.parentRunId])).toEqual([
      ["train", "COMPLETED", id],
      ["evaluate", "COMPLETED", id],
    ]);
    const lines = await logLines(id);
    expect(lines).toContain(`train child ${children[0].name} is COMPLETED`);
    expect(lines).toContain(`evaluate child ${children[1].name} is COMPLETED`);
    expect(await logLines(children[1].id)).toContain("evaluate done");
  });

  it("a failing child raises ChildRunError in the parent with the child's message", { timeout: 120_000 }, async () => {
    const id = await startParent({ fail_evaluate: true });
    const run = await ended(id);
    const [, evaluate] = await childrenOf(id);
    expect(evaluate.state).toMatchObject({ type: "FAILED", message: "RuntimeError: evaluate: the validation set is empty" });
    expect(run.state.type).toBe("FAILED");
    expect(run.state.message).toBe(`ChildRunError: Child run ${evaluate.name} of py-step/evaluate failed: RuntimeError: evaluate: the validation set is empty`);
    expect(await logLines(id)).toContain("evaluate child ended FAILED");
  });

  it("cancelling the waiting parent stops its running child", { timeout: 120_000 }, async () => {
    const id = await startParent({ slow: true });
    const [child] = await waitFor(
      async () => {
        const cs = await childrenOf(id);
        return cs[0]?.state.type === "RUNNING" && cs;
      },
      { timeoutMs: 60_000, what: "the child running" },
    );
    expect((await env.cli(["runs", "cancel", id])).code).toBe(0);
    expect((await ended(id)).state.type).toBe("CANCELLED");
    expect((await ended(child.id)).state).toMatchObject({ type: "CANCELLED" });
  });
});
