/**
 * npx tsx bench/code-cache.ts — how long a run waits for its code: resolving a branch, the first
 * checkout (clone + extract), a cached checkout and a checkout after the branch moved (fetch +
 * extract), for a small repository over file:// and smart HTTP (git http-backend) on this machine.
 * Medians of 5 rounds, each round with a fresh cache.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CodeCache } from "../agent/agent/source/git-source";
import { startGitHttpServer, TestRepo } from "../tests/helpers/git-repos";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "bench-code-"));
const files: Record<string, string> = {};
for (let i = 0; i < 50; i++) files[`src/module${i}.py`] = `def f${i}():\n    return ${i}\n`.repeat(40);
const repo = TestRepo.create(path.join(root, "repos"), "small");
repo.commit(files, "first");
const server = await startGitHttpServer(path.join(root, "repos"));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}

for (const [label, url] of [["file://", repo.url], ["http", server.urlOf("small")]] as const) {
  const rows: Record<string, number[]> = { resolve: [], first: [], cached: [], moved: [] };
  for (let round = 0; round < 5; round++) {
    const cache = new CodeCache({ dir: path.join(root, `cache-${label.replace(/\W/g, "")}-${round}`) });
    const source = { git: url, ref: "main" };
    const [tResolve, commit] = await time(() => cache.resolve(source));
    const [tFirst, a] = await time(() => cache.checkout(source, commit));
    a.release();
    const [tCached, b] = await time(() => cache.checkout(source, commit));
    b.release();
    repo.commit({ [`src/new${round}.py`]: "x = 1\n" }, "moved");
    const [tMoved, c] = await time(async () => cache.checkout(source, await cache.resolve(source)));
    c.release();
    rows.resolve!.push(tResolve);
    rows.first!.push(tFirst);
    rows.cached!.push(tCached);
    rows.moved!.push(tMoved);
  }
  const fmt = (k: string) => `${k} ${median(rows[k]!).toFixed(0)} ms`;
  console.log(`${label.padEnd(8)} ${["resolve", "first", "cached", "moved"].map(fmt).join(" · ")}  (50 files, medians of 5; "moved" = resolve + fetch + extract)`);
}
await server.close();
fs.rmSync(root, { recursive: true, force: true });
