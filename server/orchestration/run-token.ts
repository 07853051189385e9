import { createHmac, timingSafeEqual } from "node:crypto";
import type pg from "pg";
import { AppError } from "../errors";
import { LEASED_STATES, type StateType } from "../../agent/protocol/states";
import { env } from "../env";

/**
 * A run token lets the process of one run attempt report its own task runs, logs and artifacts,
 * nothing else. Stateless: `brt_` + payload + HMAC (keyed by AUTH_SECRET). The attempt in it
 * fences reports: a token of an older attempt is refused once a newer attempt exists, and it
 * stops writing shortly after its attempt ends (see assertRunTokenMayWrite).
 */
export type RunTokenClaims = { workspaceId: string; runId: string; attempt: number };

function secret(): string {
  const s = env().AUTH_SECRET;
  if (!s) throw new Error("AUTH_SECRET is not set (the server sets it at start)");
  return s;
}

function sign(payload: string) {
  return createHmac("sha256", secret()).update(`run-token:${payload}`).digest("base64url");
}

export function issueRunToken(c: RunTokenClaims): string {
  const payload = Buffer.from(JSON.stringify([c.workspaceId, c.runId, c.attempt])).toString("base64url");
  return `brt_${payload}.${sign(payload)}`;
}

export function verifyRunToken(token: string): RunTokenClaims | null {
  const m = /^brt_([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
  if (!m) return null;
  const expected = Buffer.from(sign(m[1]));
  const given = Buffer.from(m[2]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const [workspaceId, runId, attempt] = JSON.parse(Buffer.from(m[1], "base64url").toString()) as [string, string, number];
    return { workspaceId, runId, attempt };
  } catch {
    return null;
  }
}

/**
 * How long a token still writes after its attempt left PENDING/RUNNING/CANCELLING: the SDK's last
 * log and task-state batches are flushed as the process exits, which may land just after the
 * agent reported the final state.
 */
export const RUN_TOKEN_GRACE_SECONDS = 60;

type LiveRow = { attempt: number; state_type: string; state_name: string; state_timestamp: Date; grace_over: boolean };

/**
 * Writes with a run token (logs, artifacts, task runs, cache, states) are allowed while the token's
 * attempt is the run's current one and is running, plus the grace. Costs one primary-key lookup
 * per write request (a named statement; log and task batches amortise it); reads skip it.
 */
export async function assertRunTokenMayWrite(q: pg.Pool, c: RunTokenClaims): Promise<void> {
  const { rows } = await q.query<LiveRow>({
    name: "run-token-may-write",
    text: `select attempt, state_type, state_name, state_timestamp,
                  state_timestamp < now() - make_interval(secs => $3) as grace_over
             from flow_runs where workspace_id = $1 and id = $2`,
    values: [c.workspaceId, c.runId, RUN_TOKEN_GRACE_SECONDS],
  });
  const run = rows[0];
  if (!run) throw new AppError("NOT_FOUND", `Flow run ${c.runId} not found; this run token's run was deleted.`);
  if (run.attempt !== c.attempt) {
    throw new AppError(
      "CONFLICT",
      `This run token is for attempt ${c.attempt} of flow run ${c.runId}, but the run is on attempt ${run.attempt}: a token writes only for its own attempt. A process of an earlier attempt should stop.`,
      { currentAttempt: run.attempt },
    );
  }
  const active = LEASED_STATES.includes(run.state_type as StateType);
  if (!active && run.grace_over) {
    throw new AppError(
      "FORBIDDEN",
      `Flow run ${c.runId} attempt ${c.attempt} ended (${run.state_name}) at ${run.state_timestamp.toISOString()}; its run token stopped taking writes ${RUN_TOKEN_GRACE_SECONDS} s later. Start a new run, or read this one with an API key.`,
      { state: run.state_type, endedAt: run.state_timestamp.toISOString() },
    );
  }
}
