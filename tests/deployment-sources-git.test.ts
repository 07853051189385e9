// Git sources end to end: `baton deploy` with a git source, the real agent fetching exact commits
// from a local bare repository (file://) into its code cache, runs recording their commit, and
// the setup step cached by its key.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startCliEnvironment } from "./helpers/cli";
import { waitFor } from "./helpers/app-process";
import { startGitHttpServer, TestRepo } from "./helpers/git-repos";

const env = await startCliEnvironment();
const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "baton-git-e2e-")));
const repo = TestRepo.create(root, "pipelines");
const cacheDir = path.join(root, "agent-cache");

type Run = { id: string; sourceCommit: string | null; state: { type: string; message: string | null } };
const runOf = (id: string) => env.api("GET", `/flow-runs/${id}`) as Promise<Run>;
const ended = (id: string) =>
  waitFor(async () => {
    const r = await runOf(id);
    return ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"].includes(r.state.type) && r;
  }, { what: `run ${id} to end`, timeoutMs: 60_000 });
const logsOf = async (id: string) => ((await env.api("GET", `/flow-runs/${id}/logs?limit=200`)) as { logs: { message: string; level: string }[] }).logs;

async function deploy(name: string, args: string[]) {
  const res = await env.cli(["deploy", "--command", "cat version.txt", "--name", name, ...args, "--json"], { cwd: root });
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout)[0].deployment as { id: string; source: unknown };
}
async function startRun(deploymentId: string, body: Record<string, unknown> = {}) {
  const res = await env.api("POST", `/deployments/${deploymentId}/runs`, body);
  expect(res.run?.id, JSON.stringify(res)).toBeTruthy();
  return res.run.id as string;
}

describe("a git source on a real agent", () => {
  it("a branch runs its newest commit at each claim; a pinned commit keeps its code; 'the same code' re-runs an old commit; the run records its commit", { timeout: 180_000 }, async () => {
    const first = repo.commit({ "jobs/version.txt": "one\n" });
    const tracking = await deploy("tracking", ["--git", repo.url, "--ref", "main", "--git-path", "jobs"]);
    expect(tracking.source).toEqual({ kind: "git", url: repo.url, ref: "main", path: "jobs", credentials: null });
    const pinned = await deploy("pinned", ["--git", repo.url, "--ref", first, "--git-path", "jobs"]);
    const agent = env.startAgent(["--name", "git-agent", "--cache-dir", cacheDir]);
    try {
      const a = await ended(await startRun(tracking.id));
      expect(a.state.type, agent.output()).toBe("COMPLETED");
      expect(a.sourceCommit).toBe(first);
      const logsA = await logsOf(a.id);
      expect(logsA.map((l) => l.message)).toContain("one");
      expect(logsA.find((l) => l.message.startsWith("Code: "))?.message).toMatch(new RegExp(`^Code: ${repo.url} at ${first.slice(0, 12)} \\(main\\), ready in \\d+\\.\\d s$`));

      const second = repo.commit({ "jobs/version.txt": "two\n" });
      const b = await ended(await startRun(tracking.id));
      expect(b.sourceCommit).toBe(second);
      expect((await logsOf(b.id)).map((l) => l.message)).toContain("two");

      // The CLI lists each run's commit.
      const listed = await env.cli(["runs", "ls", "--deployment", "tracking"]);
      expect(listed.stdout.split("\n").find((l) => l.startsWith(b.id))).toContain(second.slice(0, 12));
      const p = await ended(await startRun(pinned.id));
      expect(p.sourceCommit).toBe(first);
      expect((await logsOf(p.id)).map((l) => l.message)).toContain("one");

      // Run again with the same code: the old commit although main has moved on.
      const again = await ended(await startRun(tracking.id, { sourceCommit: first }));
      expect(again.sourceCommit).toBe(first);
      const againLogs = (await logsOf(again.id)).map((l) => l.message);
      expect(againLogs).toContain("one");
      expect(againLogs.find((m) => m.startsWith("Code: "))).toContain("(pinned)");
      // A commit pin is for git sources only.
      const local = await env.api("PUT", "/deployments", { flowName: "plain", name: "plain", kind: "command", command: "true" });
      const refused = await env.api("POST", `/deployments/${local.deployment.id}/runs`, { sourceCommit: first });
      expect(refused.error?.message).toMatch(/sourceCommit pins the commit of a git source/);
    } finally {
      agent.child.kill("SIGTERM");
      await agent.exited;
    }
  });

  it("two runs of different commits at once on one agent", { timeout: 120_000 }, async () => {
    const slowA = repo.commit({ "jobs/version.txt": "slow-a\n", "jobs/run.sh": "sleep 2; cat version.txt\n" });
    const slowB = repo.commit({ "jobs/version.txt": "slow-b\n" });
    const d = await env.cli(["deploy", "--command", "sh run.sh", "--name", "slow", "--git", repo.url, "--git-path", "jobs", "--json"], { cwd: root });
    const id = JSON.parse(d.stdout)[0].deployment.id;
    const agent = env.startAgent(["--name", "two-commits", "--cache-dir", cacheDir]);
    try {
      const [ra, rb] = [await startRun(id, { sourceCommit: slowA }), await startRun(id, { sourceCommit: slowB })];
      await waitFor(async () => (await runOf(ra)).state.type === "RUNNING" && (await runOf(rb)).state.type === "RUNNING", { what: "both to run at once" });
      const [a, b] = [await ended(ra), await ended(rb)];
      expect([a.state.type, b.state.type]).toEqual(["COMPLETED", "COMPLETED"]);
      expect((await logsOf(ra)).map((l) => l.message)).toContain("slow-a");
      expect((await logsOf(rb)).map((l) => l.message)).toContain("slow-b");
    } finally {
      agent.child.kill("SIGTERM");
      await agent.exited;
    }
  });

  it("the setup step runs once per cache key, its output in the run's logs; a failing setup fails the run with its message", { timeout: 120_000 }, async () => {
    repo.commit({ "app/requirements.txt": "numpy==1\n", "app/version.txt": "v1\n" });
    const setupArgs = ["--git", repo.url, "--git-path", "app", "--setup", "echo installing; cat requirements.txt > installed.txt", "--setup-cache-key", "requirements.txt"];
    const d = await env.cli(["deploy", "--command", "cat installed.txt", "--name", "with-setup", ...setupArgs, "--json"], { cwd: root });
    const id = JSON.parse(d.stdout)[0].deployment.id;
    const failing = await env.cli(["deploy", "--command", "true", "--name", "bad-setup", "--git", repo.url, "--git-path", "app", "--setup", "echo fetching >&2; echo 'ERROR: no matching distribution' >&2; exit 3", "--json"], { cwd: root });
    const failingId = JSON.parse(failing.stdout)[0].deployment.id;
    const agent = env.startAgent(["--name", "setup-agent", "--cache-dir", cacheDir]);
    try {
      const one = await ended(await startRun(id));
      expect(one.state.type, agent.output()).toBe("COMPLETED");
      const logs1 = (await logsOf(one.id)).map((l) => l.message);
      expect(logs1).toContain("installing");
      expect(logs1).toContain("numpy==1");
      expect(logs1.find((m) => m.startsWith("Setup "))).toMatch(/^Setup `echo installing; .*` done in \d+\.\d s$/);

      const two = await ended(await startRun(id));
      const logs2 = (await logsOf(two.id)).map((l) => l.message);
      expect(logs2).not.toContain("installing");
      expect(logs2.find((m) => m.startsWith("Setup "))).toMatch(/skipped: it succeeded here before with the same cache key$/);

      const bad = await ended(await startRun(failingId));
      expect(bad.state.type).toBe("FAILED");
      expect(bad.state.message).toMatch(/^The setup step `echo fetching >&2; .*` exited with code 3: ERROR: no matching distribution/);
      expect((await logsOf(bad.id)).find((l) => l.message === "ERROR: no matching distribution")?.level).toBe("error");
    } finally {
      agent.child.kill("SIGTERM");
      await agent.exited;
    }
  });

  it("a bad ref and an unreachable repository fail the run with what to do", { timeout: 90_000 }, async () => {
    const badRef = await deploy("bad-ref", ["--git", repo.url, "--ref", "no-such-branch"]);
    const gone = await deploy("gone", ["--git", `file://${root}/missing.git`]);
    const agent = env.startAgent(["--name", "failing-agent", "--cache-dir", cacheDir]);
    try {
      const a = await ended(await startRun(badRef.id));
      expect(a.state).toMatchObject({ type: "FAILED", message: `ref "no-such-branch" is not a branch, tag or commit of ${repo.url}. Push it, or fix the deployment's source ref.` });
      const b = await ended(await startRun(gone.id));
      expect(b.state.type).toBe("FAILED");
      expect(b.state.message).toMatch(new RegExp(`^Could not reach the git repository file://${root}/missing.git`));
    } finally {
      agent.child.kill("SIGTERM");
      await agent.exited;
    }
  });

  it("a private repository over https: the token comes from a secret, reaches git only, and a wrong one fails the run saying so", { timeout: 120_000 }, async () => {
    const token = `ghp_${Date.now().toString(36)}SeCrEtToKeN`;
    const server = await startGitHttpServer(root, { user: "x-access-token", password: token });
    const agent = env.startAgent(["--name", "https-agent", "--cache-dir", cacheDir]);
    try {
      repo.commit({ "private/version.txt": "private\n", "private/show-env.sh": "env | grep -c ghp_ || true\n" });
      // No such secret yet: refused at deploy time, naming it.
      const early = await env.cli(["deploy", "--command", "cat version.txt", "--name", "private", "--git", server.urlOf("pipelines"), "--git-path", "private", "--credentials", "{{ secrets.git-token }}"], { cwd: root });
      expect(early.code).not.toBe(0);
      expect(early.stderr).toContain('secret "git-token"');
      expect((await env.cli(["secret", "set", "git-token"], { input: token })).code).toBe(0);
      const d = await deploy("private", ["--git", server.urlOf("pipelines"), "--git-path", "private", "--credentials", "{{ secrets.git-token }}"]);
      const ok = await ended(await startRun(d.id));
      expect(ok.state.type, agent.output()).toBe("COMPLETED");
      expect((await logsOf(ok.id)).map((l) => l.message)).toContain("private");
      // The run's own environment never holds the token.
      const envCheck = await env.cli(["deploy", "--command", "sh show-env.sh", "--name", "private-env", "--git", server.urlOf("pipelines"), "--git-path", "private", "--credentials", "{{ secrets.git-token }}", "--json"], { cwd: root });
      const envRun = await ended(await startRun(JSON.parse(envCheck.stdout)[0].deployment.id));
      expect((await logsOf(envRun.id)).map((l) => l.message)).toContain("0");

      expect((await env.cli(["secret", "set", "git-token"], { input: "wrong-token" })).code).toBe(0);
      const badCache = path.join(root, "fresh-cache");
      const fresh = env.startAgent(["--name", "fresh-agent", "--cache-dir", badCache]);
      agent.child.kill("SIGTERM");
      await agent.exited;
      try {
        const bad = await ended(await startRun(d.id));
        expect(bad.state.type).toBe("FAILED");
        expect(bad.state.message).toMatch(/^Authentication to http:\/\/127\.0\.0\.1:\d+\/pipelines\.git failed/);
        expect(bad.state.message).not.toContain("wrong-token");
      } finally {
        fresh.child.kill("SIGTERM");
        await fresh.exited;
      }
      // The token is in no log line, no run, no agent output.
      const { runs } = await env.api("GET", "/flow-runs?limit=200");
      expect(JSON.stringify(runs)).not.toContain(token);
      for (const r of runs as { id: string }[]) expect(JSON.stringify(await logsOf(r.id))).not.toContain(token);
      expect(agent.output()).not.toContain(token);
    } finally {
      if (agent.child.exitCode === null) agent.child.kill("SIGTERM");
      await server.close();
    }
  });
});
