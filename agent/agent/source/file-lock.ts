import fs from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Runs functions with the same key one after the other, within this process. */
export class KeyedQueue {
  private tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, owned by another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class LockTimeoutError extends Error {}

/**
 * A lock between processes sharing a cache (two agents on one machine): a file created with O_EXCL
 * holding the owner's pid. A lock whose pid is dead (the owner was killed -9) is taken over.
 * Within one process, callers must already be serialised (KeyedQueue): a lock held by our own
 * pid is waited for like any other, which would only deadlock on re-entry.
 * Fragile on purpose: two processes that see the same stale lock at the same instant could both
 * remove it; pid reuse after a crash makes a stale lock look alive until that process ends.
 */
export async function withFileLock<T>(lockPath: string, waitMs: number, fn: () => Promise<T>): Promise<T> {
  await fs.mkdir(path.dirname(lockPath), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    try {
      await fs.writeFile(lockPath, String(process.pid), { flag: "wx" });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = Number(await fs.readFile(lockPath, "utf8").catch(() => ""));
    // An empty file is a lock being written right now (or one whose owner died mid-write: rare, taken over after the wait).
    if (owner && !pidAlive(owner)) {
      await fs.rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      if (!owner) {
        await fs.rm(lockPath, { force: true });
        continue;
      }
      throw new LockTimeoutError(`${lockPath} is held by process ${owner}`);
    }
    await sleep(delay);
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockPath, { force: true });
  }
}
