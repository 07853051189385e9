import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { PYTHON, PYTHON_SDK, pythonEnv } from "./helpers/python";

describe("the Python SDK's own unit tests (agent/python/tests, standard library unittest)", () => {
  it("pass: schemas from signatures, conversions, retry delays, cache keys and results, futures and edges, reporting through an outage, describe", { timeout: 180_000 }, () => {
    const res = spawnSync(PYTHON, ["-W", "ignore::ResourceWarning", "-m", "unittest", "discover", "-s", "tests", "-t", "."], { cwd: PYTHON_SDK, env: pythonEnv(), encoding: "utf8" });
    // unittest reports on stderr; shown whole when a test fails.
    expect(res.status, `${res.stdout}\n${res.stderr}`).toBe(0);
    expect(res.stderr).toMatch(/^OK/m);
    expect(res.stderr).toMatch(/Ran \d{2,} tests/);
  });
});
