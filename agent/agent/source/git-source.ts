import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { spawnBounded } from "./bounded-spawn";
import { CheckoutStore } from "./checkout-store";
import { KeyedQueue, LockTimeoutError, withFileLock } from "./file-lock";
import { gitFailure, gitRemote, lsRemote, runGit, scrub, type GitRemote } from "./git-command";
import { diskError, FULL_COMMIT, isDiskFull, SourceError, type GitSource } from "./source-error";

export { SourceError, type GitSource, type SourceFailure } from "./source-error";

export type CodeCacheOptions = {
  /** e.g. ~/.baton/cache */
  dir: string;
  /** Disk bound for checkouts (mirrors are not counted: one per repository). Default 2 GiB. */
  maxBytes?: number;
  /** Bound on every git call. Default 120 s. */
  gitTimeoutMs?: number;
  log?: (line: string) => void;
};

export const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;
export const DEFAULT_GIT_TIMEOUT_MS = 120_000;

/** The first 16 hex of sha256 of the URL without credentials: one mirror per repository, whatever token reads it. */
export function repoHash(url: string): string {
  return crypto.createHash("sha256").update(gitRemote(url).url).digest("hex").slice(0, 16);
}

/**
 * The agent's code cache: one bare mirror per repository in `<dir>/git/<repo-hash>.git`, and
 * checkouts of exact commits in `<dir>/checkouts/<repo-hash>-<commit>` (see CheckoutStore),
 * shared by the runs of one commit and pruned least-recently-used beyond `maxBytes`.
 */
export class CodeCache {
  readonly dir: string;
  readonly maxBytes: number;
  readonly gitTimeoutMs: number;
  private readonly log: (line: string) => void;
  private readonly store: CheckoutStore;
  private readonly mirrorQueue = new KeyedQueue();
  private ready: Promise<void> | null = null;
  private pruning: Promise<unknown> = Promise.resolve();
  private readonly resolving = new Map<string, Promise<string>>();

  constructor(opts: CodeCacheOptions) {
    this.dir = path.resolve(opts.dir);
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.gitTimeoutMs = opts.gitTimeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
    this.log = opts.log ?? (() => undefined);
    // A checkout holds its key's lock through one fetch and one extraction: wait for a little more than both.
    this.store = new CheckoutStore(this.dir, this.gitTimeoutMs * 3);
  }

  /**
   * The commit `ref` points at now: `git ls-remote` for a branch or tag (no fetch), a 40-hex ref
   * as is. Runs claimed together share one ls-remote: the answer is "now" for all of them.
   */
  resolve(source: GitSource, credentials?: string | null): Promise<string> {
    const ref = source.ref.trim();
    if (FULL_COMMIT.test(ref.toLowerCase())) return Promise.resolve(ref.toLowerCase());
    const key = crypto.createHash("sha256").update(`${source.git}\0${ref}\0${credentials ?? ""}`).digest("hex");
    const inFlight = this.resolving.get(key);
    if (inFlight) return inFlight;
    const p = this.lsRemote(source, ref, credentials).finally(() => this.resolving.delete(key));
    this.resolving.set(key, p);
    return p;
  }

  private async lsRemote(source: GitSource, ref: string, credentials?: string | null): Promise<string> {
    const remote = this.remote(source, credentials);
    const commit = await lsRemote(ref, { remote, timeoutMs: this.gitTimeoutMs, what: "listing the branches and tags of", log: this.log });
    if (commit) return commit;
    const hint = /^[0-9a-f]{4,39}$/i.test(ref) ? " A commit must be given in full (40 hex characters)." : " Push it, or fix the deployment's source ref.";
    throw new SourceError("bad_ref", `ref "${ref}" is not a branch, tag or commit of ${remote.url}.${hint}`);
  }

  /** A complete checkout of exactly `commit`; `dir` is the run's working directory (the checkout joined with source.path). */
  async checkout(source: GitSource, commit: string, credentials?: string | null): Promise<{ dir: string; release: () => void }> {
    const remote = this.remote(source, credentials);
    commit = commit.trim().toLowerCase();
    if (!FULL_COMMIT.test(commit)) throw new SourceError("bad_ref", `"${commit}" is not a full commit id (40 hex characters); resolve the ref first.`);
    const sub = subfolder(source.path);
    const key = `${repoHash(remote.url)}-${commit}`;
    const started = Date.now();
    this.store.acquire(key);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.store.release(key);
    };
    try {
      await this.init();
      const outcome = await this.store.ensure(key, async (tmp) => {
        const mirror = await this.ensureCommit(remote, commit);
        await this.extract(remote, mirror, commit, tmp);
      });
      const dir = path.join(this.store.dirOf(key), sub);
      const st = await fs.stat(dir).catch(() => null);
      // A symlink in the repository must not take the run outside its checkout.
      const inside = st?.isDirectory() && `${await fs.realpath(dir)}/`.startsWith(`${await fs.realpath(this.store.dirOf(key))}/`);
      if (!inside) throw new SourceError("bad_ref", `The folder "${sub}" does not exist in commit ${commit.slice(0, 12)} of ${remote.url}. Fix the deployment's source path (relative to the repository's root).`);
      this.log(`code: ${outcome === "cached" ? "using the cached checkout of" : "checked out"} ${commit.slice(0, 12)} of ${remote.url} in ${Date.now() - started} ms`);
      this.schedulePrune();
      return { dir, release };
    } catch (err) {
      release();
      throw this.asSourceError(err, remote, `checking out ${commit.slice(0, 12)} of`);
    }
  }

  /** Removes least-recently-used checkouts not in use (by this or another process) until their total is under maxBytes. */
  prune(): Promise<void> {
    const run = this.pruning.then(async () => {
      await this.init();
      const { bytes, removed } = await this.store.prune(this.maxBytes);
      if (removed.length) this.log(`code cache: removed ${removed.length} old checkout(s), ${formatBytes(bytes)} kept`);
      if (bytes > this.maxBytes) this.log(`code cache: checkouts in use take ${formatBytes(bytes)}, over the ${formatBytes(this.maxBytes)} bound`);
    });
    this.pruning = run.catch(() => undefined);
    return run;
  }

  private schedulePrune() {
    this.prune().catch((err) => this.log(`code cache: pruning failed: ${(err as Error).message}`));
  }

  private init(): Promise<void> {
    this.ready ??= Promise.all([this.store.recover(), fs.mkdir(path.join(this.dir, "git"), { recursive: true })]).then(
      () => undefined,
      (err: unknown) => {
        // Tried again on the next call (a full disk gets freed).
        this.ready = null;
        throw err;
      },
    );
    return this.ready;
  }

  private remote(source: GitSource, credentials?: string | null): GitRemote {
    const url = source.git?.trim() ?? "";
    // A URL starting with "-" would be read by git as an option (--upload-pack=…).
    if (!url || url.startsWith("-")) throw new SourceError("unreachable", `"${scrub(url, [])}" is not a git repository URL. Give an https://, ssh:// (or git@host:path) or file:// URL.`);
    try {
      return gitRemote(url, credentials);
    } catch {
      throw new SourceError("unreachable", `"${scrub(url, [])}" is not a valid repository URL. Give an https://, ssh:// (or git@host:path) or file:// URL.`);
    }
  }

  /**
   * The mirror, holding `commit`. One git operation per mirror at a time (in this process by a
   * queue, between processes by a lock file), so many runs waiting for a moved branch fetch once:
   * the next in line finds the commit present.
   */
  private async ensureCommit(remote: GitRemote, commit: string): Promise<string> {
    const hash = repoHash(remote.url);
    const mirror = path.join(this.dir, "git", `${hash}.git`);
    const call = { remote, timeoutMs: this.gitTimeoutMs, log: this.log };
    return this.mirrorQueue.run(hash, () =>
      withFileLock(path.join(this.dir, "locks", `mirror-${hash}.lock`), this.gitTimeoutMs * 2, async () => {
        if (!(await isDir(mirror))) await this.createMirror(remote, mirror);
        else if (await hasCommit(mirror, commit, remote, this.gitTimeoutMs)) return mirror;
        else {
          await removeStaleGitLocks(mirror);
          this.log(`code: fetching ${remote.url}`);
          await runGit(["--git-dir", mirror, ...FETCH_CONFIG, "fetch", "--prune", "--quiet", remote.url, ...REFSPECS], { ...call, what: "fetching" });
        }
        if (await hasCommit(mirror, commit, remote, this.gitTimeoutMs)) return mirror;
        // Not on any branch or tag (force-pushed away, or only on a pull request): ask for it by id, which hosts like GitHub allow.
        await runGit(["--git-dir", mirror, ...FETCH_CONFIG, "fetch", "--quiet", remote.url, commit], { ...call, what: `fetching commit ${commit.slice(0, 12)} of` }).catch((err: SourceError) => {
          if (err.kind !== "unreachable" && err.kind !== "bad_ref") throw err;
        });
        if (await hasCommit(mirror, commit, remote, this.gitTimeoutMs)) return mirror;
        throw new SourceError("bad_ref", `ref "${commit}" is not a branch, tag or commit of ${remote.url}. Check the deployment's source ref (the commit may have been force-pushed away).`);
      }),
    );
  }

  /** A bare repository with the remote's branches and tags, filled in a temp dir and renamed into place. */
  private async createMirror(remote: GitRemote, mirror: string) {
    const tmp = await this.store.tempDir();
    const call = { remote, timeoutMs: this.gitTimeoutMs, log: this.log };
    try {
      await runGit(["init", "--quiet", "--bare", tmp], { ...call, what: "creating a mirror of" });
      // The checkout is the commit's exact tree: no export-ignore or export-subst from the repository's .gitattributes.
      await fs.writeFile(path.join(tmp, "info", "attributes"), "* -export-ignore -export-subst\n");
      this.log(`code: cloning ${remote.url}`);
      await runGit(["--git-dir", tmp, ...FETCH_CONFIG, "fetch", "--quiet", remote.url, ...REFSPECS], { ...call, what: "cloning" });
      await fs.rename(tmp, mirror);
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  }

  /** `git archive <commit> | tar -x`: the commit's files only (no .git), bounded in time like every git call. */
  private async extract(remote: GitRemote, mirror: string, commit: string, into: string) {
    const opts = { env: remote.env, timeoutMs: this.gitTimeoutMs, graceMs: 1_000 } as const;
    const archive = spawnBounded("git", ["--git-dir", mirror, "archive", "--format=tar", commit], { ...opts, stdout: "pipe" });
    const tar = spawnBounded("tar", ["-x", "--no-same-owner", "-f", "-", "-C", into], { ...opts, stdin: "pipe" });
    archive.child.stdout!.pipe(tar.child.stdin!);
    tar.child.stdin!.on("error", () => undefined);
    const [a, t] = await Promise.all([archive.done, tar.done]);
    if (a.code === 0 && t.code === 0 && !a.timedOut && !t.timedOut) return;
    const failed = a.code !== 0 || a.timedOut ? a : t;
    throw gitFailure(`extracting commit ${commit.slice(0, 12)} of`, remote.url, [...a.stderr, ...t.stderr], failed.timedOut ? this.gitTimeoutMs : null);
  }

  private asSourceError(err: unknown, remote: GitRemote, what: string): SourceError {
    if (err instanceof SourceError) return new SourceError(err.kind, scrub(err.message, remote.secrets));
    if (isDiskFull(err)) return diskError(`${what} ${remote.url}`, (err as Error).message);
    if (err instanceof LockTimeoutError) return new SourceError("timeout", `Waited too long for another agent process using this code cache (${err.message}) while ${what} ${remote.url}. Check for a stuck agent on this machine.`);
    return new SourceError("unreachable", scrub(`Could not prepare the code of ${remote.url}: ${(err as Error).message}`, remote.secrets));
  }
}

const REFSPECS = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];
/**
 * Keep every fetch as one pack: a pack is moved into place only when complete, whereas loose
 * objects of a fetch killed -9 could leave a commit without its trees, which would look present.
 */
const FETCH_CONFIG = ["-c", "gc.autoDetach=false", "-c", "fetch.unpackLimit=1"];

function subfolder(p: string | null | undefined): string {
  const clean = path.posix.normalize((p ?? "").trim().replace(/^\/+/, "") || ".");
  if (clean === ".." || clean.startsWith("../")) throw new SourceError("bad_ref", `The source path "${p}" leaves the repository. Give a folder relative to the repository's root.`);
  return clean;
}

async function isDir(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => null))?.isDirectory() ?? false;
}

async function hasCommit(mirror: string, commit: string, remote: GitRemote, timeoutMs: number): Promise<boolean> {
  const r = await spawnBounded("git", ["--git-dir", mirror, "cat-file", "-e", `${commit}^{commit}`], { timeoutMs, graceMs: 1_000, env: remote.env }).done;
  return r.code === 0;
}

/** Git's own *.lock files left by a git killed mid-fetch; safe to remove because we hold the mirror's lock. */
async function removeStaleGitLocks(mirror: string) {
  for (const name of ["packed-refs.lock", "shallow.lock", "config.lock", "HEAD.lock", "FETCH_HEAD.lock"]) await fs.rm(path.join(mirror, name), { force: true });
  const walk = async (d: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith(".lock")) await fs.rm(p, { force: true });
    }
  };
  await walk(path.join(mirror, "refs"));
}

function formatBytes(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(n / 1024 ** 2)} MiB`;
}
