// examples/python-command/train.py as the agent runs it: a child process whose parameters are in
// the environment, judged by its output and exit code.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const EXAMPLE = path.resolve(import.meta.dirname, "../examples/python-command");

function train(env: Record<string, string>) {
  // The test's own environment must not leak parameters in.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("BATON_"))) as NodeJS.ProcessEnv;
  const result = spawnSync("python3", ["train.py"], { cwd: EXAMPLE, env: { ...base, ...env }, encoding: "utf8", timeout: 20_000 });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, lines: result.stdout.trim().split("\n") };
}

const finalRmse = (stdout: string) => Number(/^final rmse=(\d+\.\d{3})$/m.exec(stdout)?.[1]);

describe("examples/python-command/train.py", () => {
  it("trains with the defaults when no parameters are set", () => {
    const run = train({});
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.lines[0]).toBe("parameters: epochs=200 learning_rate=0.05 fail=false");
    expect(run.lines.filter((l) => l.startsWith("epoch "))).toEqual([
      expect.stringMatching(/^epoch 50 loss \d+\.\d{4}$/),
      expect.stringMatching(/^epoch 100 loss \d+\.\d{4}$/),
      expect.stringMatching(/^epoch 150 loss \d+\.\d{4}$/),
      expect.stringMatching(/^epoch 200 loss \d+\.\d{4}$/),
    ]);
    expect(run.lines.at(-1)).toMatch(/^final rmse=\d+\.\d{3}$/);
    // data.csv has noise of standard deviation 0.5 around the line.
    expect(finalRmse(run.stdout)).toBeGreaterThan(0.4);
    expect(finalRmse(run.stdout)).toBeLessThan(0.7);
  });

  it("reads all parameters from BATON_PARAMETERS", () => {
    const run = train({ BATON_PARAMETERS: JSON.stringify({ epochs: 20, learning_rate: 0.3, unknown: "ignored" }) });
    expect(run.code).toBe(0);
    expect(run.lines[0]).toBe("parameters: epochs=20 learning_rate=0.3 fail=false");
    expect(run.lines.filter((l) => l.startsWith("epoch "))).toEqual([expect.stringMatching(/^epoch 20 loss /)]);
    expect(finalRmse(run.stdout)).toBeLessThan(0.7);
  });

  it("reads BATON_PARAM_<NAME> variables, as the agent writes them", () => {
    const run = train({ BATON_PARAM_EPOCHS: "100", BATON_PARAM_LEARNING_RATE: "0.1", BATON_PARAM_FAIL: "false" });
    expect(run.code).toBe(0);
    expect(run.lines[0]).toBe("parameters: epochs=100 learning_rate=0.1 fail=false");
    expect(run.lines.filter((l) => l.startsWith("epoch "))).toEqual([expect.stringMatching(/^epoch 50 /), expect.stringMatching(/^epoch 100 /)]);
  });

  it("prefers BATON_PARAMETERS when both are set", () => {
    const run = train({ BATON_PARAMETERS: JSON.stringify({ epochs: 10 }), BATON_PARAM_EPOCHS: "100", BATON_PARAM_FAIL: "true" });
    expect(run.code).toBe(0);
    expect(run.lines[0]).toBe("parameters: epochs=10 learning_rate=0.05 fail=false");
  });

  it("fails with exit code 1 and a message on stderr when fail is true, in either style", () => {
    const styles: Record<string, string>[] = [{ BATON_PARAMETERS: JSON.stringify({ fail: true }) }, { BATON_PARAM_FAIL: "true" }];
    for (const env of styles) {
      const run = train(env);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe("train.py: failing on purpose because the parameter fail is true\n");
      expect(run.stdout).not.toContain("final rmse");
    }
  });

  it("fails with exit code 1 when training diverges", () => {
    const run = train({ BATON_PARAMETERS: JSON.stringify({ learning_rate: 5 }) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^train\.py: training diverged at epoch \d+: use a smaller learning_rate\n$/);
  });

  it("refuses bad parameters with exit code 2 and says which", () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ BATON_PARAMETERS: "{not json" }, /BATON_PARAMETERS is not valid JSON/],
      [{ BATON_PARAMETERS: "[1, 2]" }, /BATON_PARAMETERS must be a JSON object/],
      [{ BATON_PARAM_EPOCHS: "many" }, /epochs must be a whole number of at least 1, got 'many'/],
      [{ BATON_PARAMETERS: JSON.stringify({ epochs: 0 }) }, /epochs must be a whole number of at least 1, got 0/],
      [{ BATON_PARAMETERS: JSON.stringify({ learning_rate: -0.1 }) }, /learning_rate must be a number greater than 0/],
      [{ BATON_PARAM_FAIL: "maybe" }, /fail must be true or false, got 'maybe'/],
    ];
    for (const [env, message] of cases) {
      const run = train(env);
      expect(run.code, JSON.stringify(env)).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe("");
    }
  });

  it("ships the data.csv that make_data.py writes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baton-python-data-"));
    try {
      const result = spawnSync("python3", [path.join(EXAMPLE, "make_data.py")], { cwd: dir, encoding: "utf8", timeout: 20_000 });
      expect(result.status, result.stderr).toBe(0);
      expect(fs.readFileSync(path.join(dir, "data.csv"), "utf8")).toBe(fs.readFileSync(path.join(EXAMPLE, "data.csv"), "utf8"));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
