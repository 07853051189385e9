import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { KeyedQueue, pidAlive, withFileLock } from "./file-lock";

/**
 * The checkouts on disk: `<dir>/checkouts/<repo-hash>-<commit>/` (the files of that commit),
 * `<key>.done` (written after the tree was renamed into place; its mtime is the last use) and
 * `<key>.inuse.<pid>-<id>` (one per process using it, so another agent sharing the cache does not prune
 * it). A tree is filled in `<dir>/tmp/<pid>-…` and renamed in, so a checkout interrupted by a crash
 * is never used: without its `.done` it is removed and redone.
 */
export class CheckoutStore {
  readonly root: string;
  private readonly tmpRoot: string;
  private readonly locks: string;
  private readonly users = new Map<string, number>();
  /** Measured sizes, forgotten when the checkout is released (its run may have written to it, a setup step's .venv). */
  private readonly sizes = new Map<string, number>();
  private readonly queue = new KeyedQueue();
  /** Tells this store's in-use files from those of another CodeCache in the same process. */
  private readonly instance = crypto.randomBytes(4).toString("hex");

  constructor(
    cacheDir: string,
    private readonly lockWaitMs: number,
  ) {
    this.root = path.join(cacheDir, "checkouts");
    this.tmpRoot = path.join(cacheDir, "tmp");
    this.locks = path.join(cacheDir, "locks");
  }

  /** Removes what a killed process left: the temp dirs of dead pids. */
  async recover(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true });
    await fs.mkdir(this.tmpRoot, { recursive: true });
    for (const name of await fs.readdir(this.tmpRoot)) {
      const pid = Number(name.split("-")[0]);
      if (!pidAlive(pid)) await fs.rm(path.join(this.tmpRoot, name), { recursive: true, force: true });
    }
  }

  /** A fresh temp dir on the cache's file system (so the final rename is atomic). */
  async tempDir(): Promise<string> {
    const dir = path.join(this.tmpRoot, `${process.pid}-${crypto.randomBytes(6).toString("hex")}`);
    await fs.mkdir(dir, { recursive: true });
    return dir;
  }

  dirOf(key: string): string {
    return path.join(this.root, key);
  }

  /** Counts a user of `key` at once (before any await), so prune cannot take it from under an arriving run. */
  acquire(key: string): void {
    this.users.set(key, (this.users.get(key) ?? 0) + 1);
  }

  release(key: string): void {
    const n = (this.users.get(key) ?? 1) - 1;
    if (n > 0) return void this.users.set(key, n);
    this.users.delete(key);
    this.sizes.delete(key);
    void this.queue
      .run(key, async () => {
        if (this.users.has(key)) return;
        await fs.rm(this.inUseFile(key), { force: true });
        await touch(this.doneFile(key));
      })
      .catch(() => undefined);
  }

  /** Makes sure the tree of `key` is complete, filling it with `fill(tempDir)` when it is not (once for many waiters). */
  ensure(key: string, fill: (tmp: string) => Promise<void>): Promise<"cached" | "extracted"> {
    return this.locked(key, async () => {
      const dir = this.dirOf(key);
      let outcome: "cached" | "extracted" = "cached";
      if (!((await exists(this.doneFile(key))) && (await exists(dir)))) {
        await this.remove(key);
        const tmp = await this.tempDir();
        try {
          await fill(tmp);
          await fs.rename(tmp, dir);
        } catch (err) {
          await fs.rm(tmp, { recursive: true, force: true });
          throw err;
        }
        await fs.writeFile(this.doneFile(key), JSON.stringify({ at: new Date().toISOString() }));
        this.sizes.delete(key);
        outcome = "extracted";
      }
      await fs.writeFile(this.inUseFile(key), "");
      await touch(this.doneFile(key));
      return outcome;
    });
  }

  /**
   * Removes least-recently-used checkouts that no process uses until the total is at most
   * `maxBytes`, and leftovers of interrupted checkouts. Returns the total that remains.
   */
  async prune(maxBytes: number): Promise<{ bytes: number; removed: string[] }> {
    const names = await fs.readdir(this.root, { withFileTypes: true });
    const entries: { key: string; bytes: number; lastUsed: number }[] = [];
    for (const e of names) {
      if (!e.isDirectory()) continue;
      const done = await fs.stat(this.doneFile(e.name)).catch(() => null);
      const bytes = this.sizes.get(e.name) ?? (await diskBytes(this.dirOf(e.name)));
      if (done) this.sizes.set(e.name, bytes);
      entries.push({ key: e.name, bytes, lastUsed: done ? done.mtimeMs : 0 });
    }
    let bytes = entries.reduce((s, e) => s + e.bytes, 0);
    const removed: string[] = [];
    // Oldest first; a tree without .done (lastUsed 0) is a leftover and goes first whatever the total.
    for (const e of entries.sort((a, b) => a.lastUsed - b.lastUsed)) {
      if (bytes <= maxBytes && e.lastUsed > 0) break;
      const gone = await this.locked(e.key, async () => {
        if (this.users.has(e.key) || (await this.usedElsewhere(e.key))) return false;
        await this.remove(e.key);
        return true;
      });
      if (gone) {
        this.sizes.delete(e.key);
        bytes -= e.bytes;
        removed.push(e.key);
      }
    }
    return { bytes, removed };
  }

  private locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.queue.run(key, () => withFileLock(path.join(this.locks, `checkout-${key}.lock`), this.lockWaitMs, fn));
  }

  /** Another live process has this checkout in use; files of dead processes are removed on the way. */
  private async usedElsewhere(key: string): Promise<boolean> {
    const prefix = `${key}.inuse.`;
    let used = false;
    for (const name of await fs.readdir(this.root)) {
      if (!name.startsWith(prefix)) continue;
      const owner = name.slice(prefix.length);
      if (owner === this.ownerId) continue;
      const pid = Number(owner.split("-")[0]);
      if (pidAlive(pid)) used = true;
      else await fs.rm(path.join(this.root, name), { force: true });
    }
    return used;
  }

  /** The marker goes first: a crash halfway leaves a tree without .done, which is never used. */
  private async remove(key: string): Promise<void> {
    await fs.rm(this.doneFile(key), { force: true });
    const dir = this.dirOf(key);
    if (!(await exists(dir))) return;
    const trash = await this.tempDir();
    await fs.rename(dir, path.join(trash, "tree"));
    await fs.rm(trash, { recursive: true, force: true });
  }

  private doneFile(key: string) {
    return path.join(this.root, `${key}.done`);
  }

  private inUseFile(key: string) {
    return path.join(this.root, `${key}.inuse.${this.ownerId}`);
  }

  private get ownerId() {
    return `${process.pid}-${this.instance}`;
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

async function touch(p: string): Promise<void> {
  const now = new Date();
  await fs.utimes(p, now, now).catch(() => undefined);
}

/** Disk use of a tree (allocated blocks, what a disk bound is about), symlinks not followed. */
export async function diskBytes(dir: string): Promise<number> {
  let total = 0;
  const walk = async (d: string) => {
    const entries = await fs.readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = path.join(d, e.name);
      const st = await fs.lstat(p).catch(() => null);
      if (!st) continue;
      total += st.blocks * 512;
      if (st.isDirectory()) await walk(p);
    }
  };
  await walk(dir);
  return total;
}
