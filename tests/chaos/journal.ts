import fs from "node:fs";
import path from "node:path";

/** One attempt as its own process journaled it: from its start line to its last tick or end line. */
export type JournaledAttempt = { runId: string; attempt: number; agent: string; pid: number; lines: number; startMs: number; lastMs: number; ended: boolean };
export type OverlapViolation = { runId: string; attempt: number; agent: string; atMs: number };

const ms = (ns: string) => Number(BigInt(ns) / 1_000_000n);

/** The attempts in the journal, by run id (see the attempt script in workload.ts for the format). */
export function readJournal(chaosDir: string): Map<string, JournaledAttempt[]> {
  const byRun = new Map<string, JournaledAttempt[]>();
  const open = new Map<string, JournaledAttempt>();
  for (const line of fs.readFileSync(path.join(chaosDir, "journal"), "utf8").split("\n")) {
    const [kind, runId, attempt, agent, pid, ns, lines] = line.split(" ");
    if (!ns) continue;
    const id = `${runId} ${attempt} ${pid}`;
    const at = ms(ns);
    if (kind === "start") {
      const a: JournaledAttempt = { runId, attempt: Number(attempt), agent, pid: Number(pid), lines: Number(lines), startMs: at, lastMs: at, ended: false };
      open.set(id, a);
      byRun.set(runId, [...(byRun.get(runId) ?? []), a]);
      continue;
    }
    const a = open.get(id);
    if (!a) continue;
    a.lastMs = Math.max(a.lastMs, at);
    if (kind === "end") a.ended = true;
  }
  return byRun;
}

export function readViolations(chaosDir: string): OverlapViolation[] {
  return fs
    .readFileSync(path.join(chaosDir, "violations"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [, runId, attempt, agent, , ns] = line.split(" ");
      return { runId, attempt: Number(attempt), agent, atMs: ms(ns) };
    });
}

/**
 * The agents worth a fault now: those running a long attempt that began in the last few seconds
 * (most of it is still ahead, so a lost lease can overlap a retry), else any running an attempt.
 */
export function busyAgents(chaosDir: string): string[] {
  const fresh = (a: JournaledAttempt) => !a.ended && Date.now() - a.lastMs < 3000;
  const open = [...readJournal(chaosDir).values()].flat().filter(fresh);
  const long = open.filter((a) => a.lines >= 10 && Date.now() - a.startMs < 4000);
  return [...new Set((long.length ? long : open).map((a) => a.agent))].sort();
}
