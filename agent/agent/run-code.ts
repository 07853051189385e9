import fs from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { batonHome } from "../config/profiles";
import type { LogLevel } from "../protocol/logs";
import { CodeCache, SourceError } from "./source/git-source";
import { runSetup } from "./source/setup-step";
import { StderrLevels } from "./stderr-level";
import type { ClaimedRun } from "./run-process";

/** The code of one run, ready: the folder it runs in, the commit (git sources), and what to call once it ended. */
export type PreparedCode = { dir: string; commit: string | null; release: () => void };

/** The code cannot be had: the run fails before it starts, with `message` (what happened and what to do). */
export class CodeUnavailable extends Error {}

/** A setup step that has not finished by then is stopped (when the deployment sets no timeout). */
const SETUP_TIMEOUT_SECONDS = 30 * 60;

export type PrepareHooks = {
  signal: AbortSignal;
  onOutput: (level: LogLevel, message: string) => void;
  /** Tells Baton the commit a git run resolved to (first write wins on the server). */
  recordCommit: (commit: string) => Promise<void>;
  /** A git source's token, resolved from its secret for this claim only. */
  credentials: string | null;
};

/**
 * Where a run's code is, by its deployment's source (docs/cli.md#where-the-code-comes-from):
 * none (a deployment made through the API) runs in the agent's --workdir; a local source in its
 * folder, which must be on this machine (the claim hands such runs only to agents on its host); a
 * git source in a checkout of one exact commit from the agent's code cache. Then the deployment's
 * setup step, skipped when it already succeeded there with the same cache key.
 */
export class RunCode {
  readonly cache: CodeCache;

  constructor(private readonly opts: { workdir: string; cacheDir?: string; cacheMaxBytes?: number; log: (line: string) => void }) {
    this.cache = new CodeCache({ dir: opts.cacheDir ?? path.join(batonHome(), "cache"), maxBytes: opts.cacheMaxBytes, log: opts.log });
  }

  async prepare(run: ClaimedRun, hooks: PrepareHooks): Promise<PreparedCode> {
    const code = await this.locate(run, hooks);
    const setup = run.deployment?.setup;
    if (!setup) return code;
    try {
      const levels = new StderrLevels();
      const timeout = run.deployment?.timeoutSeconds ?? SETUP_TIMEOUT_SECONDS;
      const done = await runSetup(code.dir, setup, {
        cacheDir: this.cache.dir,
        timeoutMs: timeout * 1000,
        signal: hooks.signal,
        onOutput: (stream, line) => hooks.onOutput(stream === "stderr" ? levels.levelOf(line) : "info", line),
      });
      hooks.onOutput("info", done.skipped ? `Setup \`${setup.run}\` skipped: it succeeded here before with the same cache key` : `Setup \`${setup.run}\` done in ${(done.ms / 1000).toFixed(1)} s`);
      return code;
    } catch (err) {
      code.release();
      throw asUnavailable(err);
    }
  }

  private async locate(run: ClaimedRun, hooks: PrepareHooks): Promise<PreparedCode> {
    const d = run.deployment;
    const source = d?.source ?? null;
    if (!source) return { dir: this.opts.workdir, commit: null, release: () => undefined };
    if (source.kind === "local") {
      if (!isFolder(source.path)) {
        throw new CodeUnavailable(
          `The folder of deployment ${run.flowName}/${d!.name}, ${source.path}, does not exist on ${hostname()}. It was deployed from there: deploy again from where the code is now (baton deploy), or give the deployment a git source.`,
        );
      }
      return { dir: source.path, commit: null, release: () => undefined };
    }
    if (source.credentials && !hooks.credentials) {
      throw new CodeUnavailable(`Deployment ${run.flowName}/${d!.name} reads ${source.url} with ${source.credentials}, which this claim did not carry. Check that the secret exists.`);
    }
    const git = { git: source.url, ref: source.ref, path: source.path ?? null };
    try {
      const pinned = run.sourceCommit;
      const commit = pinned ?? (await this.cache.resolve(git, hooks.credentials));
      if (!pinned) await hooks.recordCommit(commit);
      const started = Date.now();
      const checkout = await this.cache.checkout(git, commit, hooks.credentials);
      hooks.onOutput("info", `Code: ${source.url} at ${commit.slice(0, 12)}${pinned ? " (pinned)" : ` (${source.ref})`}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return { dir: checkout.dir, commit, release: checkout.release };
    } catch (err) {
      throw asUnavailable(err);
    }
  }
}

function asUnavailable(err: unknown): Error {
  return err instanceof SourceError ? new CodeUnavailable(err.message) : (err as Error);
}

function isFolder(p: string) {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
