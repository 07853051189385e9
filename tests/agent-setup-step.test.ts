import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SourceError } from "../agent/agent/source/git-source";
import { runSetup, type SetupStep } from "../agent/agent/source/setup-step";
import { waitFor } from "./helpers/app-process";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "baton-setup-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let n = 0;
function project(files: Record<string, string> = {}) {
  n += 1;
  const dir = path.join(root, `project${n}`);
  fs.mkdirSync(dir, { recursive: true });
  for (const [f, c] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), c);
  const output: string[] = [];
  const opts = { cacheDir: path.join(root, "cache"), timeoutMs: 20_000, onOutput: (stream: string, line: string) => output.push(`${stream}: ${line}`) };
  const runs = () => (fs.existsSync(path.join(dir, "runs.txt")) ? fs.readFileSync(path.join(dir, "runs.txt"), "utf8").trim().split("\n").length : 0);
  return { dir, output, opts, runs };
}

async function failure(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

const COUNTING = "echo run >> runs.txt; echo installing; echo 'a note' >&2";

describe("the setup step", () => {
  it("runs once per key, with its output as lines, and is skipped the next time in the same directory", async () => {
    const { dir, output, opts, runs } = project();
    const setup: SetupStep = { run: COUNTING };
    expect((await runSetup(dir, setup, opts)).skipped).toBe(false);
    expect(output).toEqual(["stdout: installing", "stderr: a note"]);
    const again = await runSetup(dir, setup, opts);
    expect(again.skipped).toBe(true);
    expect(runs()).toBe(1);
    // The marker is not among the user's files.
    expect(fs.readdirSync(dir).sort()).toEqual(["runs.txt"]);
    expect((await runSetup(dir, { run: `${COUNTING}; true` }, opts)).skipped).toBe(false);
    expect(runs()).toBe(2);
  });

  it("runs again when a cacheKey file changes, not when the step itself rewrites it", async () => {
    const { dir, opts, runs } = project({ "requirements.txt": "numpy==2.0\n", "package-lock.json": "{}" });
    const setup: SetupStep = { run: COUNTING, cacheKey: ["requirements.txt"] };
    await runSetup(dir, setup, opts);
    expect((await runSetup(dir, setup, opts)).skipped).toBe(true);
    fs.writeFileSync(path.join(dir, "requirements.txt"), "numpy==2.1\n");
    expect((await runSetup(dir, setup, opts)).skipped).toBe(false);
    expect(runs()).toBe(2);
    // npm install rewrites package-lock.json: the next run is still cached.
    const npm: SetupStep = { run: `${COUNTING}; echo '{"v":2}' > package-lock.json`, cacheKey: ["package-lock.json"] };
    await runSetup(dir, npm, opts);
    expect((await runSetup(dir, npm, opts)).skipped).toBe(true);
    expect(runs()).toBe(3);
  });

  it("runs again in a directory recreated at the same path (a checkout pruned and extracted again)", async () => {
    const { dir, opts, runs } = project();
    await runSetup(dir, { run: COUNTING }, opts);
    fs.rmSync(dir, { recursive: true });
    fs.mkdirSync(dir);
    expect((await runSetup(dir, { run: COUNTING }, opts)).skipped).toBe(false);
    expect(runs()).toBe(1);
  });

  it("fails with the step's exit code and last stderr line, and leaves no marker", async () => {
    const { dir, opts, runs } = project();
    const setup = { run: "echo run >> runs.txt; echo 'Collecting numpy' ; echo 'ERROR: No matching distribution found for numpy==99' >&2; exit 3" };
    const err = await failure(runSetup(dir, setup, opts));
    expect(err.kind).toBe("setup_failed");
    expect(err.message).toBe(`The setup step \`${setup.run}\` exited with code 3: ERROR: No matching distribution found for numpy==99`);
    await failure(runSetup(dir, setup, opts));
    expect(runs()).toBe(2);
    const gone = await failure(runSetup(path.join(dir, "missing"), setup, opts));
    expect(gone.message).toBe(`The setup step \`${setup.run}\` cannot run: its working directory ${path.join(dir, "missing")} does not exist.`);
  });

  it("times out: the whole process group is killed, SIGKILL for a step that ignores SIGTERM", async () => {
    const { dir, opts } = project();
    const started = Date.now();
    const err = await failure(runSetup(dir, { run: "sleep 30 & echo $! > child.pid; wait" }, { ...opts, timeoutMs: 300 }));
    expect(err.kind).toBe("setup_timeout");
    expect(err.message).toBe("The setup step `sleep 30 & echo $! > child.pid; wait` did not finish within 0.3 s and was stopped. Make it faster (cache what it downloads), or raise the setup timeout.");
    const pid = Number(fs.readFileSync(path.join(dir, "child.pid"), "utf8"));
    await waitFor(async () => !alive(pid), { timeoutMs: 5_000, what: "the step's child to be killed" });
    const stubborn = await failure(runSetup(dir, { run: "trap '' TERM; sleep 30" }, { ...opts, timeoutMs: 300 }));
    expect(stubborn.kind).toBe("setup_timeout");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("stops when the run is cancelled", async () => {
    const { dir, opts } = project();
    const ac = new AbortController();
    const p = runSetup(dir, { run: "echo started; sleep 30" }, { ...opts, onOutput: (_s, line) => line === "started" && ac.abort(), signal: ac.signal });
    const err = await failure(p);
    expect(err.kind).toBe("setup_failed");
    expect(err.message).toBe("The setup step `echo started; sleep 30` was stopped because the run was cancelled.");
  });

  it("two runs at once in one directory with the same key: one runs the step, the other waits for it", async () => {
    const { dir, opts, runs } = project();
    const setup = { run: `sleep 0.3; ${COUNTING}` };
    const results = await Promise.all([runSetup(dir, setup, opts), runSetup(dir, setup, opts), runSetup(dir, setup, opts)]);
    expect(results.map((r) => r.skipped).sort()).toEqual([false, true, true]);
    expect(runs()).toBe(1);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
