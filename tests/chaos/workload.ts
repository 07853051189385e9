import fs from "node:fs";
import path from "node:path";
import type { Rng } from "./prng";

/**
 * One attempt of a chaos run. It takes a per-run lock with `flock -n` (the kernel drops it when
 * the process holding it dies), so a second attempt that cannot take it is running while an
 * earlier one still is: it writes an `overlap` line to the violations file. Inside the lock it
 * prints numbered lines (the log lines invariant 2 counts) and journals start/tick/end with the
 * run id, attempt, agent, pid and `date +%s%N` (start also with the number of lines).
 */
const ATTEMPT_SCRIPT = `# One attempt of a chaos run (tests/chaos/workload.ts).
me="$BATON_RUN_ID $BATON_RUN_ATTEMPT $CHAOS_AGENT"
if [ "$1" != locked ]; then
  flock -n -E 75 "$CHAOS_DIR/locks/$BATON_RUN_ID" sh "$0" locked
  rc=$?
  if [ $rc -eq 75 ]; then echo "overlap $me $$ $(date +%s%N)" >> "$CHAOS_DIR/violations"; fi
  exit $rc
fi
n=\${BATON_PARAM_LINES:-3}
echo "start $me $$ $(date +%s%N) $n" >> "$CHAOS_DIR/journal"
i=1
while [ $i -le $n ]; do
  echo "chaos-line $i/$n"
  echo "tick $me $$ $(date +%s%N)" >> "$CHAOS_DIR/journal"
  sleep \${BATON_PARAM_SLEEP:-0.5}
  i=$((i+1))
done
echo "end $me $$ $(date +%s%N)" >> "$CHAOS_DIR/journal"
`;

export const ATTEMPT_COMMAND = 'sh "$CHAOS_DIR/attempt.sh"';
export const RETRIES = 3;
/** A long run outlasts a lease by far, so a lost lease's retry can overlap it. */
export const LONG_RUN_SECONDS = 16;
export const SCHEDULE_INTERVAL_SECONDS = 2;

export function writeAttemptScript(chaosDir: string) {
  fs.mkdirSync(path.join(chaosDir, "locks"), { recursive: true });
  fs.mkdirSync(path.join(chaosDir, "work"), { recursive: true });
  fs.writeFileSync(path.join(chaosDir, "attempt.sh"), ATTEMPT_SCRIPT);
  fs.writeFileSync(path.join(chaosDir, "journal"), "");
  fs.writeFileSync(path.join(chaosDir, "violations"), "");
}

export type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; json: unknown }>;

export function apiClient(baseUrl: () => string, key: string): Api {
  return async (method, p, body) => {
    const res = await fetch(`${baseUrl()}/api/v1${p}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, json: await res.json().catch(() => null) };
  };
}

/** The two deployments: one for bursts of API-created runs, one on an interval schedule. */
export async function createDeployments(api: Api) {
  const base = { flowName: "chaos", kind: "command", command: ATTEMPT_COMMAND, retries: RETRIES, parameters: { lines: 3, sleep: 0.5 } };
  const burst = await api("PUT", "/deployments", { ...base, name: "chaos-burst" });
  const scheduled = await api("PUT", "/deployments", {
    ...base,
    name: "chaos-scheduled",
    parameters: { lines: 2, sleep: 0.5 },
    schedules: [{ kind: "interval", intervalSeconds: SCHEDULE_INTERVAL_SECONDS }],
  });
  for (const r of [burst, scheduled]) if (r.status >= 300) throw new Error(`PUT /deployments → ${r.status} ${JSON.stringify(r.json)}`);
  const id = (r: { json: unknown }) => (r.json as { deployment: { id: string } }).deployment.id;
  return { burstId: id(burst), scheduledId: id(scheduled) };
}

/** What the API answered for each idempotency key (invariant 3 compares it with the database). */
export type IdempotencyRecord = { key: string; sends: number; runIds: Set<string>; failures: number };

/**
 * Bursts of runs created through the API, each with an idempotency key; some keys are sent twice
 * at once. A request that fails (server or Postgres down) is retried with the same key, as a
 * client would, until it gets an answer.
 */
export class Workload {
  readonly keys = new Map<string, IdempotencyRecord>();
  private readonly inFlight = new Set<Promise<void>>();
  private n = 0;

  constructor(
    private readonly api: Api,
    private readonly rng: Rng,
    private readonly opts: { deploymentId: string; seed: number; longRunShare: number },
  ) {}

  /** One burst of `size` creations, in the background. */
  burst(size: number) {
    for (let i = 0; i < size; i++) {
      const key = `chaos-${this.opts.seed}-${++this.n}`;
      const long = this.rng.chance(this.opts.longRunShare);
      const parameters = long ? { lines: LONG_RUN_SECONDS, sleep: 1 } : { lines: this.rng.int(3, 6), sleep: 0.5 };
      const twice = this.rng.chance(0.3);
      const record: IdempotencyRecord = { key, sends: twice ? 2 : 1, runIds: new Set(), failures: 0 };
      this.keys.set(key, record);
      for (let s = 0; s < record.sends; s++) this.track(this.create(record, parameters));
    }
  }

  private async create(record: IdempotencyRecord, parameters: Record<string, unknown>) {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      try {
        const res = await this.api("POST", `/deployments/${this.opts.deploymentId}/runs`, { idempotencyKey: record.key, parameters });
        if (res.status === 200 || res.status === 201) {
          record.runIds.add((res.json as { run: { id: string } }).run.id);
          return;
        }
      } catch {
        /* the server is down or the request timed out: try again with the same key */
      }
      record.failures++;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  private track(p: Promise<void>) {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Resolves when every creation has its answer (or gave up). */
  async drained() {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }
}
