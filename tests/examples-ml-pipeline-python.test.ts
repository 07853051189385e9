// examples/ml-pipeline-python: its own unittest suite, and the flow in local mode (no server), as
// the example's README tells a user to try it first.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PYTHON, pythonEnv } from "./helpers/python";

const EXAMPLE = path.resolve(import.meta.dirname, "../examples/ml-pipeline-python");

describe("examples/ml-pipeline-python", () => {
  it("its unit tests pass (python3 -m unittest discover -s tests)", { timeout: 60_000 }, () => {
    const res = spawnSync(PYTHON, ["-m", "unittest", "discover", "-s", "tests"], { cwd: EXAMPLE, env: pythonEnv(), encoding: "utf8" });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/Ran [1-9]\d* tests[\s\S]*^OK/m);
  });

  it("runs locally with no server: python3 flows/train.py trains and prints the validation RMSE", { timeout: 60_000 }, () => {
    const res = spawnSync(PYTHON, ["flows/train.py"], { cwd: EXAMPLE, env: pythonEnv(), encoding: "utf8" });
    expect(res.status, res.stderr).toBe(0);
    const out = res.stdout + res.stderr;
    expect(out).toMatch(/kept 2968 of 3200 trips/);
    const rmse = Number(/validation RMSE (\d+\.\d{3}) min/.exec(out)?.[1]);
    // Predicting the mean gives ~10.2 min on these trips; the model must do far better.
    expect(rmse).toBeGreaterThan(1);
    expect(rmse).toBeLessThan(5);
  });
});
