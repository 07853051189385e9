import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readJournal, readViolations } from "../chaos/journal";
import { ATTEMPT_COMMAND, writeAttemptScript } from "../chaos/workload";

/**
 * The chaos suite's attempt script (tests/chaos/workload.ts) for one test file: each attempt holds
 * a kernel lock on its run's file (`flock`), so an attempt that finds it taken started while
 * another was still alive and says so; each journals its start and a tick every 0.5 s. Attempt 1
 * runs for `firstSeconds`, later attempts finish in about a second.
 */
export function fenceJournal() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baton-fence-"));
  writeAttemptScript(dir);
  return {
    command: (firstSeconds: number) =>
      `export CHAOS_DIR=${dir} CHAOS_AGENT=test BATON_PARAM_LINES=$([ "$BATON_RUN_ATTEMPT" = 1 ] && echo ${firstSeconds * 2} || echo 2); echo pid=$$; exec ${ATTEMPT_COMMAND}`,
    overlaps: () => readViolations(dir),
    /** Per attempt: its first and last journal entry (epoch ms). */
    attempts(runId: string): Map<number, { first: number; last: number }> {
      return new Map((readJournal(dir).get(runId) ?? []).map((a) => [a.attempt, { first: a.startMs, last: a.lastMs }]));
    },
  };
}
