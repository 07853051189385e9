import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { spawnBounded } from "./bounded-spawn";
import { KeyedQueue, LockTimeoutError, withFileLock } from "./file-lock";
import { seconds, SourceError } from "./source-error";
import type { SetupStep as ProtocolSetupStep } from "../../protocol/deployments";

/** A command run in the working directory before the entrypoint; cacheKey: files (relative to that directory) whose contents decide whether it must run again. */
export type SetupStep = Pick<ProtocolSetupStep, "run"> & { cacheKey?: string[] };

export type SetupOptions = {
  /** Where markers and locks are kept (the code cache's dir). */
  cacheDir: string;
  timeoutMs: number;
  onOutput: (stream: "stdout" | "stderr", line: string) => void;
  signal?: AbortSignal;
  /** The step's environment; the agent's own by default. */
  env?: NodeJS.ProcessEnv;
};

const KILL_GRACE_MS = 3_000;
const queue = new KeyedQueue();

/**
 * Runs `/bin/sh -c setup.run` in `dir`, unless it already succeeded there with the same key.
 * The marker is kept in `<cacheDir>/setup/<sha256(realpath(dir))[:16]>.json`, outside the
 * user's files, and names the directory's identity (inode and birth time), so a checkout that
 * was pruned and extracted again at the same path runs its setup again. One step per directory
 * at a time (a queue in this process, a lock file between processes): a second call with the
 * same key waits for the first and then finds its marker.
 */
export async function runSetup(dir: string, setup: SetupStep, opts: SetupOptions): Promise<{ skipped: boolean; ms: number }> {
  const started = Date.now();
  const real = await fs.realpath(dir).catch(() => {
    throw new SourceError("setup_failed", `The setup step \`${short(setup.run)}\` cannot run: its working directory ${dir} does not exist.`);
  });
  const dirHash = crypto.createHash("sha256").update(real).digest("hex").slice(0, 16);
  const markerFile = path.join(opts.cacheDir, "setup", `${dirHash}.json`);
  const lockFile = path.join(opts.cacheDir, "locks", `setup-${dirHash}.lock`);
  await fs.mkdir(path.dirname(markerFile), { recursive: true });
  try {
    return await queue.run(dirHash, () =>
      withFileLock(lockFile, opts.timeoutMs + 10_000, async () => {
        if (opts.signal?.aborted) throw stopped(setup);
        const key = await setupKey(real, setup, opts.onOutput);
        const id = await identity(real);
        const marker = await readMarker(markerFile);
        if (marker && marker.dir === real && marker.id === id && marker.keys.includes(key)) return { skipped: true, ms: Date.now() - started };
        await fs.rm(markerFile, { force: true });
        await execute(real, setup, opts);
        // The step may rewrite its own key files (npm install and package-lock.json): both versions count as done.
        const after = await setupKey(real, setup, () => undefined);
        await fs.writeFile(markerFile, JSON.stringify({ dir: real, id, keys: [...new Set([key, after])], at: new Date().toISOString() } satisfies Marker));
        return { skipped: false, ms: Date.now() - started };
      }),
    );
  } catch (err) {
    if (err instanceof LockTimeoutError) throw new SourceError("setup_timeout", `The setup step \`${short(setup.run)}\` waited too long for another agent process running it in ${real} (${err.message}).`);
    throw err;
  }
}

type Marker = { dir: string; id: string; keys: string[]; at: string };

async function readMarker(file: string): Promise<Marker | null> {
  try {
    const m = JSON.parse(await fs.readFile(file, "utf8")) as Marker;
    return typeof m.dir === "string" && Array.isArray(m.keys) ? m : null;
  } catch {
    return null;
  }
}

async function identity(dir: string): Promise<string> {
  const st = await fs.stat(dir);
  return `${st.dev}:${st.ino}:${st.birthtimeMs}`;
}

/** sha256 of the run string and of each cacheKey file (its path and contents; a missing file counts as missing). */
async function setupKey(dir: string, setup: SetupStep, onOutput: SetupOptions["onOutput"]): Promise<string> {
  const h = crypto.createHash("sha256").update(setup.run);
  for (const rel of setup.cacheKey ?? []) {
    h.update(`\0${rel}\0`);
    const content = await fs.readFile(path.resolve(dir, rel)).catch(() => null);
    if (content) h.update("present\0").update(content);
    else {
      h.update("missing");
      onOutput("stderr", `setup: cacheKey file ${rel} does not exist in ${dir}; the step is cached as if it were empty.`);
    }
  }
  return h.digest("hex");
}

async function execute(dir: string, setup: SetupStep, opts: SetupOptions): Promise<void> {
  const { done } = spawnBounded("/bin/sh", ["-c", setup.run], {
    cwd: dir,
    env: opts.env ?? process.env,
    timeoutMs: opts.timeoutMs,
    graceMs: KILL_GRACE_MS,
    signal: opts.signal,
    onLine: opts.onOutput,
  });
  const r = await done;
  if (r.timedOut) {
    throw new SourceError(
      "setup_timeout",
      `The setup step \`${short(setup.run)}\` did not finish within ${seconds(opts.timeoutMs)} and was stopped. Make it faster (cache what it downloads), or raise the setup timeout.`,
    );
  }
  if (r.aborted) throw stopped(setup);
  if (r.code === 0) return;
  const last = r.stderr.filter((l) => l.trim()).at(-1)?.trim() ?? "no error output";
  const how = r.code === null ? `was killed by ${r.signal}` : `exited with code ${r.code}`;
  throw new SourceError("setup_failed", `The setup step \`${short(setup.run)}\` ${how}: ${last}`);
}

function stopped(setup: SetupStep): SourceError {
  return new SourceError("setup_failed", `The setup step \`${short(setup.run)}\` was stopped because the run was cancelled.`);
}

function short(run: string): string {
  const one = run.replace(/\s+/g, " ").trim();
  return one.length > 120 ? `${one.slice(0, 117)}...` : one;
}
