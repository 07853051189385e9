// Where a deployment's code is: `baton deploy` records the folder it deploys from, an agent on
// that machine runs it there whatever its own --workdir, and agents elsewhere leave it alone.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { hostname } from "node:os";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startCliEnvironment } from "./helpers/cli";
import { waitFor } from "./helpers/app-process";

const env = await startCliEnvironment();

type Run = { id: string; state: { type: string; message: string | null }; waiting?: { claimable: boolean; summary: string; reasons: { kind: string; host?: string; message: string }[] } | null };
const tmp = (tag: string) => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `baton-src-${tag}-`)));
const runOf = (id: string) => env.api("GET", `/flow-runs/${id}`) as Promise<Run>;
const ended = (id: string) =>
  waitFor(async () => {
    const r = await runOf(id);
    return ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"].includes(r.state.type) && r;
  }, { what: `run ${id} to end`, timeoutMs: 30_000 });
const logsOf = async (id: string) => ((await env.api("GET", `/flow-runs/${id}/logs?limit=100`)) as { logs: { message: string }[] }).logs.map((l) => l.message);

async function deployFrom(dir: string, name: string, command: string, extra: string[] = []) {
  const res = await env.cli(["deploy", "--command", command, "--name", name, ...extra], { cwd: dir });
  expect(res.code, res.stderr).toBe(0);
  return res.stdout;
}

async function startRun(deployment: string): Promise<string> {
  const res = await env.cli(["run", deployment, "--json"]);
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout).id;
}

describe("local sources", () => {
  it("two projects in one pool run in their own folders with one agent, whatever its --workdir", { timeout: 90_000 }, async () => {
    const a = tmp("a");
    const b = tmp("b");
    fs.writeFileSync(path.join(a, "data.csv"), "project a\n");
    fs.writeFileSync(path.join(b, "data.csv"), "project b\n");
    const out = await deployFrom(a, "proj-a", "pwd && cat data.csv");
    expect(out).toMatch(new RegExp(`code: ${a} on ${hostname()}$`, "m"));
    await deployFrom(b, "proj-b", "pwd && cat data.csv");
    const elsewhere = tmp("agent");
    const agent = env.startAgent(["--workdir", elsewhere, "--name", "one-agent"]);
    try {
      const [ra, rb] = [await startRun("proj-a"), await startRun("proj-b")];
      expect((await ended(ra)).state.type).toBe("COMPLETED");
      expect((await ended(rb)).state.type).toBe("COMPLETED");
      expect(await logsOf(ra)).toEqual([a, "project a"]);
      expect(await logsOf(rb)).toEqual([b, "project b"]);
      expect(agent.output()).toContain(`in ${a}`);
    } finally {
      agent.child.kill("SIGTERM");
      await agent.exited;
    }
  });

  it("a folder on another machine: no agent here claims the run, and the run says why", { timeout: 60_000 }, async () => {
    const put = await env.api("PUT", "/deployments", { flowName: "gpu-job", name: "gpu-job", kind: "command", command: "true", source: { kind: "local", path: "/srv/models", host: "gpu-box" } });
    expect(put.deployment.source).toEqual({ kind: "local", path: "/srv/models", host: "gpu-box" });
    const agent = env.startAgent(["--name", "laptop-agent"]);
    try {
      const id = await startRun("gpu-job");
      await waitFor(async () => agent.output().includes("polling pool"), { what: "the agent to poll" });
      // A run due with an agent polling: it would be claimed within milliseconds if it could be.
      const run = await waitFor(async () => {
        const r = await runOf(id);
        return r.waiting?.reasons.some((x) => x.kind === "no_agent_on_host") && r;
      }, { what: "the waiting reason" });
      expect(run.state.type).toBe("SCHEDULED");
      expect(run.waiting!.claimable).toBe(false);
      expect(run.waiting!.summary).toBe(
        `Its code is the folder /srv/models on gpu-box: only an agent of pool "default" on that machine runs it, and none is online there (its online agents run on ${hostname()}). Start one there (baton agent start --pool default), or deploy it with a git source.`,
      );
      await new Promise((r) => setTimeout(r, 1500));
      expect((await runOf(id)).state.type).toBe("SCHEDULED");
      expect(agent.output()).not.toContain(id);
    } finally {
      agent.child.kill("SIGTERM");
      await agent.exited;
    }
  });

  it("a folder deleted since the deploy fails the run before it starts, saying which and what to do", { timeout: 60_000 }, async () => {
    const gone = tmp("gone");
    await deployFrom(gone, "moved", "true");
    fs.rmSync(gone, { recursive: true });
    const agent = env.startAgent(["--name", "moved-agent"]);
    try {
      const run = await ended(await startRun("moved"));
      expect(run.state.type).toBe("FAILED");
      expect(run.state.message).toBe(`The folder of deployment moved/moved, ${gone}, does not exist on ${hostname()}. It was deployed from there: deploy again from where the code is now (baton deploy), or give the deployment a git source.`);
    } finally {
      agent.child.kill("SIGTERM");
      await agent.exited;
    }
  });

  it("--workdir and baton.yaml's workdir: name the folder explicitly; a missing one is refused", async () => {
    const project = tmp("proj");
    fs.mkdirSync(path.join(project, "jobs"));
    fs.writeFileSync(path.join(project, "baton.yaml"), "deployments:\n  - name: in-jobs\n    command: pwd\n    workdir: jobs\n");
    const res = await env.cli(["deploy"], { cwd: project });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`code: ${path.join(project, "jobs")} on `));
    const flags = await env.cli(["deploy", "--command", "pwd", "--name", "flag-dir", "--workdir", path.join(project, "jobs")], { cwd: os.tmpdir() });
    expect(flags.stdout).toMatch(new RegExp(`code: ${path.join(project, "jobs")} on `));
    const missing = await env.cli(["deploy", "--command", "pwd", "--name", "nowhere", "--workdir", path.join(project, "nope")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`nowhere: workdir ${path.join(project, "nope")} is not a folder.`);
  });
});

describe("local sources on other hosts, through every claim path", () => {
  it("a deployment concurrency limit and a tag limit (the serialised claims) leave them alone too", { timeout: 60_000 }, async () => {
    const elsewhere = { kind: "local", path: "/srv/x", host: "other-box" };
    await env.api("PUT", "/deployments", { flowName: "limited", name: "limited", kind: "command", command: "true", concurrencyLimit: 2, source: elsewhere });
    await env.api("PUT", "/deployments", { flowName: "here-limited", name: "here-limited", kind: "command", command: "true", concurrencyLimit: 2 });
    const agent = env.startAgent(["--name", "limits-agent"]);
    try {
      const [away, here] = [await startRun("limited"), await startRun("here-limited")];
      expect((await ended(here)).state.type, agent.output()).toBe("COMPLETED");
      expect((await runOf(away)).state.type).toBe("SCHEDULED");
      // Limits by tag switch the workspace's claims to the tag-aware path.
      expect((await env.cli(["concurrency", "set", "gpu", "1"])).code).toBe(0);
      await env.api("PUT", "/deployments", { flowName: "tagged", name: "tagged", kind: "command", command: "true", tags: ["gpu"], source: elsewhere });
      await env.api("PUT", "/deployments", { flowName: "tagged-here", name: "tagged-here", kind: "command", command: "true", tags: ["gpu"] });
      const [awayTagged, hereTagged] = [await startRun("tagged"), await startRun("tagged-here")];
      expect((await ended(hereTagged)).state.type).toBe("COMPLETED");
      expect((await runOf(awayTagged)).state.type).toBe("SCHEDULED");
      expect((await runOf(away)).state.type).toBe("SCHEDULED");
    } finally {
      agent.child.kill("SIGTERM");
      await agent.exited;
    }
  });
});

describe("--from-git", () => {
  it("fills the git source from the checkout: remote, branch and folder, warning about what the agent will not see", async () => {
    const remote = tmp("remote");
    execFileSync("git", ["init", "-q", "--bare", remote]);
    const work = tmp("work");
    const git = (...args: string[]) => execFileSync("git", ["-C", work, ...args], { encoding: "utf8" });
    git("init", "-q", "-b", "main");
    git("config", "user.email", "t@example.com");
    git("config", "user.name", "T");
    fs.mkdirSync(path.join(work, "pipelines"));
    fs.writeFileSync(path.join(work, "pipelines", "run.sh"), "echo hi\n");
    git("add", ".");
    git("commit", "-q", "-m", "first");
    git("remote", "add", "origin", `file://${remote}`);
    git("push", "-q", "origin", "main");
    fs.writeFileSync(path.join(work, "pipelines", "run.sh"), "echo changed\n");
    const res = await env.cli(["deploy", "--command", "sh run.sh", "--name", "from-git", "--from-git", "--json"], { cwd: path.join(work, "pipelines") });
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)[0].deployment.source).toEqual({ kind: "git", url: `file://${remote}`, ref: "main", path: "pipelines", credentials: null });
    expect(res.stderr).toContain(`Warning: ${work} has uncommitted changes; the agent runs what is pushed to file://${remote} (main), without them.`);

    git("commit", "-q", "-am", "second");
    const ahead = await env.cli(["deploy", "--command", "sh run.sh", "--name", "from-git", "--from-git"], { cwd: path.join(work, "pipelines") });
    expect(ahead.stderr).toContain("Warning: 1 commit(s) of main are not pushed to origin; the agent runs origin/main without them.");

    const notGit = await env.cli(["deploy", "--command", "true", "--name", "x", "--from-git"], { cwd: tmp("plain") });
    expect(notGit.code).toBe(2);
    expect(notGit.stderr).toMatch(/is not inside a git checkout/);
  });
});
