import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * A command for a deployment that shows whether two attempts of a run ever overlapped, from the
 * processes' own point of view: each attempt holds a kernel lock on a file named for its run
 * (`flock`; the kernel drops it the instant the process dies), so an attempt that finds it taken
 * started while another was still alive, and says so in `overlaps`. Each attempt also writes its
 * start and a tick every 100 ms to the run's journal. Attempt 1 runs for `firstSeconds`; later
 * attempts finish at once.
 */
export function fenceJournal() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baton-fence-"));
  const command = [
    `flock -n "${dir}/$BATON_RUN_ID.lock" sh -c '`,
    `j="${dir}/$BATON_RUN_ID.journal"; echo "start $BATON_RUN_ATTEMPT $(date +%s%N)" >> "$j"; echo pid=$$;`,
    `n=5; if [ "$BATON_RUN_ATTEMPT" = 1 ]; then n=$((FIRST_SECONDS * 10)); fi; i=0;`,
    `while [ $i -lt $n ]; do echo "tick $BATON_RUN_ATTEMPT $(date +%s%N)" >> "$j"; i=$((i+1)); sleep 0.1; done; echo "end $BATON_RUN_ATTEMPT $(date +%s%N)" >> "$j"; echo done'`,
    `|| echo "overlap $BATON_RUN_ID $BATON_RUN_ATTEMPT $(date +%s%N)" >> "${dir}/overlaps"`,
  ].join(" ");
  return {
    dir,
    command: (firstSeconds: number) => `FIRST_SECONDS=${firstSeconds} ${command}`,
    overlaps: () => (fs.existsSync(path.join(dir, "overlaps")) ? fs.readFileSync(path.join(dir, "overlaps"), "utf8").trim().split("\n") : []),
    /** Per attempt: its first and last journal entry (epoch ms). */
    attempts(runId: string): Map<number, { first: number; last: number }> {
      const file = path.join(dir, `${runId}.journal`);
      const spans = new Map<number, { first: number; last: number }>();
      if (!fs.existsSync(file)) return spans;
      for (const line of fs.readFileSync(file, "utf8").trim().split("\n")) {
        const [, attempt, ns] = line.split(" ");
        const ms = Number(BigInt(ns) / 1_000_000n);
        const a = Number(attempt);
        const span = spans.get(a) ?? { first: ms, last: ms };
        spans.set(a, { first: Math.min(span.first, ms), last: Math.max(span.last, ms) });
      }
      return spans;
    },
  };
}
