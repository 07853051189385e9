import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diskBytes } from "../agent/agent/source/checkout-store";
import { gitFailure } from "../agent/agent/source/git-command";
import { CodeCache, repoHash, SourceError, type GitSource } from "../agent/agent/source/git-source";
import { waitFor } from "./helpers/app-process";
import { freePort } from "./helpers/free-port";
import { installGitShim, startGitHttpServer, TestRepo, type GitHttpServer } from "./helpers/git-repos";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "baton-code-cache-"));
const TOKEN = "ghp_SuperSecretToken1234567890";
let shim: ReturnType<typeof installGitShim>;
let open: GitHttpServer;
let privateServer: GitHttpServer;

beforeAll(async () => {
  shim = installGitShim(path.join(root, "shim"));
  open = await startGitHttpServer(path.join(root, "repos"));
  privateServer = await startGitHttpServer(path.join(root, "repos"), { user: "x-access-token", password: TOKEN });
});

afterAll(async () => {
  shim.restore();
  await open.close();
  await privateServer.close();
  fs.rmSync(root, { recursive: true, force: true });
});

let n = 0;
function fresh(files: Record<string, string> = { "flow.sh": "echo v1\n" }) {
  n += 1;
  const repo = TestRepo.create(path.join(root, "repos"), `repo${n}`);
  const first = repo.commit(files, "first");
  const cache = new CodeCache({ dir: path.join(root, `cache${n}`) });
  return { repo, first, cache, name: `repo${n}` };
}

async function failure(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

/** An agent process doing one checkout (args: cache dir, URL, commit); prints the run's directory. */
function agentProcess(args: string[], env: Record<string, string> = {}) {
  const script = path.join(root, "checkout.mts");
  if (!fs.existsSync(script)) {
    const mod = JSON.stringify(path.resolve("agent/agent/source/git-source.ts"));
    fs.writeFileSync(script, `import { CodeCache } from ${mod};\nconst [dir, git, commit] = process.argv.slice(2);\nconsole.log((await new CodeCache({ dir }).checkout({ git, ref: "main" }, commit)).dir);\n`);
  }
  return spawn(process.execPath, ["--import", "tsx", script, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
}

async function text(child: ReturnType<typeof spawn>): Promise<string> {
  let out = "";
  for await (const chunk of child.stdout!) out += String(chunk);
  return out;
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), "utf8");
const deadPid = () => spawnSync("true").pid!;

describe("the code cache: refs and commits", () => {
  it("resolves a branch to its newest commit after a push, and checks out that commit's files", async () => {
    const { repo, first, cache } = fresh();
    const source: GitSource = { git: repo.url, ref: "main" };
    expect(await cache.resolve(source)).toBe(first);
    const second = repo.commit({ "flow.sh": "echo v2\n" }, "second");
    expect(await cache.resolve(source)).toBe(second);
    const co = await cache.checkout(source, second);
    expect(read(co.dir, "flow.sh")).toBe("echo v2\n");
    expect(fs.existsSync(path.join(co.dir, ".git"))).toBe(false);
    expect(co.dir).toBe(path.join(cache.dir, "checkouts", `${repoHash(repo.url)}-${second}`));
    co.release();
  });

  it("checks out the commit's exact tree: files marked export-ignore or export-subst in .gitattributes are kept as committed", async () => {
    const { first, cache, repo } = fresh({ ".gitattributes": "tests export-ignore\nversion.txt export-subst\n", "tests/test_flow.py": "def test(): pass\n", "version.txt": "$Format:%H$\n" });
    const co = await cache.checkout({ git: repo.url, ref: "main" }, first);
    expect(read(co.dir, "tests/test_flow.py")).toBe("def test(): pass\n");
    expect(read(co.dir, "version.txt")).toBe("$Format:%H$\n");
    co.release();
  });

  it("resolves a tag (annotated: the commit it points at) and keeps a 40-hex ref as is", async () => {
    const { repo, first, cache } = fresh();
    repo.tag("v1.0");
    repo.commit({ "flow.sh": "echo later\n" });
    expect(await cache.resolve({ git: repo.url, ref: "v1.0" })).toBe(first);
    expect(await cache.resolve({ git: repo.url, ref: first.toUpperCase() })).toBe(first);
  });

  it("keeps a pinned commit's files after new pushes, also for a new agent process on the same cache", async () => {
    const { repo, first, cache } = fresh();
    const source = { git: repo.url, ref: first };
    const a = await cache.checkout(source, await cache.resolve(source));
    a.release();
    repo.commit({ "flow.sh": "echo v2\n", "new.txt": "x" });
    const b = await cache.checkout(source, await cache.resolve(source));
    expect(b.dir).toBe(a.dir);
    expect(read(b.dir, "flow.sh")).toBe("echo v1\n");
    expect(fs.existsSync(path.join(b.dir, "new.txt"))).toBe(false);
    b.release();
    const restarted = new CodeCache({ dir: cache.dir });
    const c = await restarted.checkout(source, first);
    expect(read(c.dir, "flow.sh")).toBe("echo v1\n");
    c.release();
  });

  it("checks out two different commits at once, each with its own files", async () => {
    const { repo, first, cache } = fresh();
    const second = repo.commit({ "flow.sh": "echo v2\n" });
    const source = { git: repo.url, ref: "main" };
    const [a, b] = await Promise.all([cache.checkout(source, first), cache.checkout(source, second)]);
    expect(a.dir).not.toBe(b.dir);
    expect(read(a.dir, "flow.sh")).toBe("echo v1\n");
    expect(read(b.dir, "flow.sh")).toBe("echo v2\n");
    a.release();
    b.release();
  });

  it("resolves a moved branch and fetches it once for many runs at once, and extracts the commit once for all of them", async () => {
    const { repo, name } = fresh();
    const cache = new CodeCache({ dir: path.join(root, "cache-many") });
    const source = { git: open.urlOf(name), ref: "main" };
    (await cache.checkout(source, await cache.resolve(source))).release();
    const second = repo.commit({ "flow.sh": "echo v2\n" });
    const before = shim.calls().length;
    const runs = await Promise.all(Array.from({ length: 8 }, async () => cache.checkout(source, await cache.resolve(source))));
    const calls = shim.calls().slice(before).map((c) => c.argv.filter((a) => !a.startsWith("-") && !a.includes("/") && !a.includes("=")));
    expect(calls.filter((c) => c[0] === "fetch")).toHaveLength(1);
    expect(calls.filter((c) => c[0] === "archive")).toHaveLength(1);
    expect(calls.filter((c) => c[0] === "ls-remote")).toHaveLength(1);
    expect(new Set(runs.map((r) => r.dir)).size).toBe(1);
    expect(read(runs[0]!.dir, "flow.sh")).toBe("echo v2\n");
    expect(runs[0]!.dir).toContain(second);
    for (const r of runs) r.release();
  });

  it("runs in the source's subfolder, and says so when the folder is not in that commit", async () => {
    const { repo, first, cache } = fresh({ "flows/etl/run.sh": "echo etl\n", "lib/common.sh": "x" });
    const co = await cache.checkout({ git: repo.url, ref: "main", path: "flows/etl" }, first);
    expect(read(co.dir, "run.sh")).toBe("echo etl\n");
    expect(fs.existsSync(path.join(co.dir, "../../lib/common.sh"))).toBe(true);
    co.release();
    const err = await failure(cache.checkout({ git: repo.url, ref: "main", path: "flows/missing" }, first));
    expect(err.kind).toBe("bad_ref");
    expect(err.message).toBe(`The folder "flows/missing" does not exist in commit ${first.slice(0, 12)} of ${repo.url}. Fix the deployment's source path (relative to the repository's root).`);
    expect((await failure(cache.checkout({ git: repo.url, ref: "main", path: "../../etc" }, first))).kind).toBe("bad_ref");
  });
});

describe("the code cache: failures", () => {
  it("a bad ref: a branch that does not exist, and a commit the repository does not have", async () => {
    const { repo, cache } = fresh();
    const err = await failure(cache.resolve({ git: repo.url, ref: "nope" }));
    expect(err.kind).toBe("bad_ref");
    expect(err.message).toBe(`ref "nope" is not a branch, tag or commit of ${repo.url}. Push it, or fix the deployment's source ref.`);
    expect((await failure(cache.resolve({ git: repo.url, ref: "abc1234" }))).message).toContain("must be given in full (40 hex characters)");
    const missing = "0123456789abcdef0123456789abcdef01234567";
    const e2 = await failure(cache.checkout({ git: repo.url, ref: missing }, missing));
    expect(e2.kind).toBe("bad_ref");
    expect(e2.message).toContain(`ref "${missing}" is not a branch, tag or commit of ${repo.url}`);
  });

  it("an unreachable repository: a path that is no repository, a host that refuses connections", async () => {
    const cache = new CodeCache({ dir: path.join(root, "cache-unreachable") });
    const err = await failure(cache.resolve({ git: `file://${root}/no-such-repo.git`, ref: "main" }));
    expect(err.kind).toBe("unreachable");
    expect(err.message).toMatch(new RegExp(`^Could not reach the git repository file://${root}/no-such-repo.git \\(.*does not appear to be a git repository.*\\)\\. Check the URL`));
    const port = await freePort();
    const e2 = await failure(cache.checkout({ git: `http://127.0.0.1:${port}/x.git`, ref: "main" }, "0123456789abcdef0123456789abcdef01234567"));
    expect(e2.kind).toBe("unreachable");
    expect(e2.message).toContain(`Could not reach the git repository http://127.0.0.1:${port}/x.git (`);
  });

  it("a wrong or missing token is an auth failure whose message holds no credential; the right one works", async () => {
    const { name, first } = fresh();
    const cache = new CodeCache({ dir: path.join(root, "cache-private") });
    const source = { git: privateServer.urlOf(name), ref: "main" };
    for (const creds of ["wrong-token-value", null]) {
      const err = await failure(cache.resolve(source, creds));
      expect(err.kind).toBe("auth");
      expect(err.message).toMatch(new RegExp(`^Authentication to ${source.git} failed while listing the branches and tags of it \\(.*\\)\\. Check the deployment's credentials`));
      expect(err.message).not.toContain("wrong-token-value");
    }
    expect(await cache.resolve(source, TOKEN)).toBe(first);
    const co = await cache.checkout(source, first, TOKEN);
    expect(read(co.dir, "flow.sh")).toBe("echo v1\n");
    co.release();
    expect((await failure(cache.checkout(source, first.replace(/^./, first[0] === "a" ? "b" : "a"), "wrong-token-value"))).kind).toBe("auth");
  });

  it("passes the token to git in no argv and only as the http.extraHeader of the git child; a token in the URL is moved there too", async () => {
    const { name, first } = fresh();
    const cache = new CodeCache({ dir: path.join(root, "cache-argv") });
    const before = shim.calls().length;
    const source = { git: privateServer.urlOf(name), ref: "main" };
    (await cache.checkout(source, await cache.resolve(source, TOKEN), TOKEN)).release();
    const inUrl = { git: privateServer.urlOf(name).replace("http://", `http://x-access-token:${TOKEN}@`), ref: "main" };
    expect(await cache.resolve(inUrl)).toBe(first);
    const err = await failure(cache.resolve({ ...inUrl, git: inUrl.git.replace(TOKEN, `${TOKEN}x`) }));
    expect(err.kind).toBe("auth");
    expect(err.message).not.toContain(TOKEN);
    const calls = shim.calls().slice(before);
    expect(calls.length).toBeGreaterThanOrEqual(5);
    const basic = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
    for (const call of calls) {
      expect(call.argv.join(" ")).not.toContain(TOKEN);
      expect(call.argv.join(" ")).not.toContain(basic);
      const carrying = Object.entries(call.env).filter(([, v]) => v.includes(TOKEN) || v.includes(basic));
      expect(carrying.map(([k]) => k)).toEqual(["GIT_CONFIG_VALUE_0"]);
      expect(Object.values(call.env).some((v) => v.includes(TOKEN))).toBe(false);
      expect(call.env.GIT_TERMINAL_PROMPT).toBe("0");
    }
    const fetches = calls.filter((c) => c.argv.includes("fetch") || c.argv.includes("ls-remote"));
    expect(fetches[0]!.env.GIT_CONFIG_KEY_0).toBe(`http.${new URL(source.git).origin}/.extraHeader`);
    expect(fetches[0]!.env.GIT_CONFIG_VALUE_0).toBe(`Authorization: Basic ${basic}`);
  });

  it("stops a git call that hangs at the git timeout", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    const { port } = silent.address() as net.AddressInfo;
    const cache = new CodeCache({ dir: path.join(root, "cache-timeout"), gitTimeoutMs: 1_500 });
    const started = Date.now();
    const err = await failure(cache.resolve({ git: `http://127.0.0.1:${port}/slow.git`, ref: "main" }));
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(err.kind).toBe("timeout");
    expect(err.message).toBe(`git took longer than 1.5 s listing the branches and tags of http://127.0.0.1:${port}/slow.git and was stopped. Check this machine's network to the repository's host, or raise the agent's git timeout for large repositories.`);
    for (const s of sockets) s.destroy();
    silent.close();
  });

  it("says so when git is not installed", async () => {
    const { repo, cache } = fresh();
    const path0 = process.env.PATH;
    process.env.PATH = path.join(root, "empty-bin");
    try {
      const err = await failure(cache.resolve({ git: repo.url, ref: "main" }));
      expect(err.message).toBe(`\`git\` is not installed on this agent's machine (or not on its PATH), so the code of ${repo.url} cannot be fetched. Install git and restart the agent.`);
    } finally {
      process.env.PATH = path0;
    }
  });

  it("classifies git's disk-full message as a disk failure", () => {
    const err = gitFailure("fetching", "https://example.com/r.git", ["fatal: write error: No space left on device", "fatal: index-pack failed"], null);
    expect(err.kind).toBe("disk");
    expect(err.message).toBe("No space left on the agent's disk while fetching https://example.com/r.git (write error: No space left on device). Free disk space on this machine, or lower the agent's code cache bound.");
  });
});

describe("the code cache: crashes and disk bound", () => {
  it("redoes a checkout interrupted by a crash and removes the temp dirs a killed agent left", async () => {
    const { repo, first, cache } = fresh();
    const source = { git: repo.url, ref: "main" };
    const co = await cache.checkout(source, first);
    co.release();
    // As after kill -9 between the rename and the marker: the tree is there, damaged, without .done.
    await cache.prune();
    fs.rmSync(path.join(co.dir, "flow.sh"));
    fs.rmSync(`${co.dir}.done`);
    const leftover = path.join(cache.dir, "tmp", `${deadPid()}-abc`);
    fs.mkdirSync(path.join(leftover, "half"), { recursive: true });
    const restarted = new CodeCache({ dir: cache.dir });
    const again = await restarted.checkout(source, first);
    expect(again.dir).toBe(co.dir);
    expect(read(again.dir, "flow.sh")).toBe("echo v1\n");
    expect(fs.existsSync(`${co.dir}.done`)).toBe(true);
    expect(fs.existsSync(leftover)).toBe(false);
    again.release();
  });

  it("survives an agent killed -9 in the middle of a checkout: the next agent takes over its locks and redoes the checkout", async () => {
    const { repo, first, cache } = fresh({ "flow.sh": "echo v1\n", "big.bin": "y".repeat(200_000) });
    // A git that hands tar 30 KB of the archive (tar reads 10 KB records) and then hangs, so the agent is killed while tar is half done.
    const hang = path.join(root, "hang-shim");
    fs.mkdirSync(hang, { recursive: true });
    const pidFile = path.join(hang, "archive.pid");
    fs.writeFileSync(
      path.join(hang, "git"),
      `#!/bin/sh\nfor a in "$@"; do if [ "$a" = archive ]; then echo $$ > ${pidFile}; /usr/bin/git "$@" | head -c 30000; exec sleep 30; fi; done\nexec /usr/bin/git "$@"\n`,
      { mode: 0o755 },
    );
    const agent = agentProcess([cache.dir, repo.url, first], { PATH: `${hang}:${process.env.PATH}` });
    const tmp = path.join(cache.dir, "tmp");
    await waitFor(async () => fs.existsSync(pidFile) && fs.readdirSync(tmp).some((d) => d.startsWith(`${agent.pid}-`) && fs.readdirSync(path.join(tmp, d)).length > 0), {
      timeoutMs: 20_000,
      what: "the agent to be halfway through the checkout",
    });
    agent.kill("SIGKILL");
    await new Promise((r) => agent.once("exit", r));
    process.kill(-Number(fs.readFileSync(pidFile, "utf8")), "SIGKILL");
    expect(fs.readdirSync(path.join(cache.dir, "locks")).length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(cache.dir, "checkouts", `${repoHash(repo.url)}-${first}`))).toBe(false);

    const next = new CodeCache({ dir: cache.dir });
    const co = await next.checkout({ git: repo.url, ref: "main" }, first);
    expect(read(co.dir, "big.bin")).toHaveLength(200_000);
    expect(fs.readdirSync(tmp)).toEqual([]);
    co.release();
  });

  it("two agent processes sharing a cache check out a new commit with one clone and one extraction", async () => {
    const { repo, first, cache } = fresh();
    const before = shim.calls().length;
    const agents = [agentProcess([cache.dir, repo.url, first]), agentProcess([cache.dir, repo.url, first])];
    const outputs = await Promise.all(agents.map(async (a) => {
        const [code, out] = await Promise.all([new Promise((r) => a.once("exit", r)), text(a)]);
        return { code, out };
      }));
    expect(outputs.map((o) => o.code)).toEqual([0, 0]);
    expect(outputs[0]!.out).toBe(outputs[1]!.out);
    expect(read(outputs[0]!.out.trim(), "flow.sh")).toBe("echo v1\n");
    const ours = shim.calls().slice(before).filter((c) => c.argv.some((a) => a.startsWith(cache.dir)));
    expect(ours.filter((c) => c.argv.includes("fetch"))).toHaveLength(1);
    expect(ours.filter((c) => c.argv.includes("archive"))).toHaveLength(1);
  });

  it("takes over the mirror lock of a dead agent process", async () => {
    const { repo, first, cache } = fresh();
    fs.mkdirSync(path.join(cache.dir, "locks"), { recursive: true });
    fs.writeFileSync(path.join(cache.dir, "locks", `mirror-${repoHash(repo.url)}.lock`), String(deadPid()));
    const co = await cache.checkout({ git: repo.url, ref: "main" }, first);
    expect(read(co.dir, "flow.sh")).toBe("echo v1\n");
    co.release();
  });

  it("prunes least-recently-used checkouts under the bound, never one in use here or by another live process", async () => {
    const big = (tag: string) => ({ "data.bin": `${tag}\n`.padEnd(256 * 1024, "x") });
    const { repo, first } = fresh(big("c1"));
    const commits = [first, repo.commit(big("c2")), repo.commit(big("c3")), repo.commit(big("c4"))];
    const cache = new CodeCache({ dir: path.join(root, "cache-prune"), maxBytes: 850 * 1024 });
    const source = { git: repo.url, ref: "main" };
    const held = await cache.checkout(source, commits[0]!);
    const dirs = [held.dir];
    const sleeper = spawn("sleep", ["30"]);
    for (const c of commits.slice(1)) {
      const co = await cache.checkout(source, c);
      dirs.push(co.dir);
      co.release();
      // Another agent on this machine (a live process) uses c2.
      if (dirs.length === 2) fs.writeFileSync(`${co.dir}.inuse.${sleeper.pid}-other`, "");
      await new Promise((r) => setTimeout(r, 20));
    }
    await cache.prune();
    const kept = dirs.map((d) => fs.existsSync(d));
    expect(kept).toEqual([true, true, false, true]);
    const total = (await Promise.all(dirs.filter((d) => fs.existsSync(d)).map(diskBytes))).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(cache.maxBytes);
    sleeper.kill();
    held.release();
  });
});
