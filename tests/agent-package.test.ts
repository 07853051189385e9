import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const AGENT = path.resolve(import.meta.dirname, "../agent");

describe("the baton package on its own", () => {
  it("`npm pack` installs into an empty project and runs there: the CLI, and a TypeScript flow with no build step", { timeout: 180_000 }, () => {
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
  });
});
