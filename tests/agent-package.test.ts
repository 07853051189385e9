import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const AGENT = path.resolve(import.meta.dirname, "../agent");

describe("the baton package on its own", () => {
  it("`npm pack` installs into an empty project and runs there: the CLI, a TypeScript flow with no build step, and a Python flow (from the package folder, and pip-installed with no network)", { timeout: 180_000 }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baton-pack-"));
    execFileSync("npm", ["pack", "--pack-destination", dir], { cwd: AGENT, stdio: "pipe" });
    const tarball = path.join(dir, "baton-0.1.0.tgz");
    const files = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).split("\n");
    // Only the package: no tests, no server code.
    expect(files).toContain("package/dist/cli.js");
    expect(files.some((f) => f.includes("server/") || f.includes("tests/"))).toBe(false);

    const project = path.join(dir, "project");
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "project", private: true, type: "module" }));
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], { cwd: project, stdio: "pipe" });
    const bin = path.join(project, "node_modules/.bin/baton");
    expect(execFileSync(bin, ["--version"], { encoding: "utf8" }).trim()).toBe("0.1.0");
    expect(execFileSync(bin, ["--help"], { encoding: "utf8" })).toContain("baton agent start");

    fs.writeFileSync(
      path.join(project, "flow.ts"),
      `import { flow, task, getRunLogger } from "baton";
const add = task("add", { retries: 1 }, async (a: number, b: number) => a + b);
export const sum = flow("sum", {}, async () => { getRunLogger().info("adding"); return add(add(1, 2), 3); });
console.log("result", await sum());\n`,
    );
    const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: path.join(dir, "home") };
    delete env.BATON_API_URL;
    delete env.BATON_API_KEY;
    const out = execFileSync(path.join(project, "node_modules/.bin/tsx"), ["flow.ts"], { cwd: project, encoding: "utf8", env });
    expect(out).toMatch(/INFO +adding/);
    expect(out.trim().split("\n").at(-1)).toBe("result 6");

    // The Python SDK ships inside: importable from the package folder, and installable with no network.
    expect(files).toContain("package/python/baton/__init__.py");
    expect(files).toContain("package/python/pyproject.toml");
    expect(files.some((f) => f.includes("__pycache__") || f.startsWith("package/python/tests"))).toBe(false);
    const sdk = path.join(project, "node_modules/baton/python");
    fs.writeFileSync(
      path.join(project, "flow.py"),
      `from baton import flow, task, get_run_logger\n@task(retries=1)\ndef add(a, b):\n    return a + b\n@flow\ndef total():\n    get_run_logger().info("adding")\n    return add(add(1, 2), 3)\nprint("result", total())\n`,
    );
    const fromPath = spawnSync("python3", ["flow.py"], { cwd: project, encoding: "utf8", env: { ...env, PYTHONPATH: sdk } });
    expect(fromPath.stdout.trim(), fromPath.stderr).toBe("result 6");
    expect(fromPath.stderr).toMatch(/INFO +\| adding/);
    const venv = path.join(dir, "venv");
    execFileSync("python3", ["-m", "venv", venv], { stdio: "pipe" });
    execFileSync(path.join(venv, "bin/pip"), ["install", "--no-index", "--disable-pip-version-check", sdk], { stdio: "pipe" });
    const installed = spawnSync(path.join(venv, "bin/python"), ["flow.py"], { cwd: project, encoding: "utf8", env });
    expect(installed.stdout.trim(), installed.stderr).toBe("result 6");
  });
});
