import type pg from "pg";
import type { StateType } from "../../agent/protocol/states";
import type { RetryDelay } from "../../agent/protocol/deployments";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import { withPgTransaction } from "../db/pg-transaction";
import { tagSlotWakePools } from "../dispatch/tag-slot-wake";
import { applySimpleTransitions } from "./fast-transitions";
import { FENCE_MARGIN_SECONDS, KILL_GRACE_SECONDS, LEASE_SECONDS } from "../../agent/protocol/leases";
import { LEASED_STATES, TERMINAL_STATES } from "../../agent/protocol/states";
import { retryDelaySeconds } from "./retry-delay";
import { decide, type ProposedState, type Proposer } from "./rules";

export type Fence = { attempt: number; leaseToken?: string };

export type TransitionRequest = {
  runId: string;
  state: ProposedState;
  transitionId?: string;
  by: Proposer;
  /** Required for agent and sdk proposals: the attempt (and lease) the reporter holds. */
  fence?: Fence;
  /**
   * The lease reaper's proposal: applied only if the lease is still expired under the row lock (a
   * heartbeat may have renewed it), and it fences the run (see `fenceAfterReap`).
   */
  reap?: { hearingSince: Date };
  /** A person's action (cancel, retry): when accepted, the history row names them and the audit log gets `action`, in the same transaction. */
  person?: { actor: Actor; action: string };
};

export type CurrentState = { type: StateType; name: string; message: string | null; timestamp: string };

export type TransitionResult =
  | { runId: string; status: "ACCEPT"; state: CurrentState; attempt: number; replayed: boolean; scheduledTime: string }
  | { runId: string; status: "REJECT"; reason: string; state: CurrentState; attempt: number }
  | { runId: string; status: "WAIT"; seconds: number; reason: string; state: CurrentState; attempt: number }
  | { runId: string; status: "CONFLICT"; reason: string; state: CurrentState; attempt: number }
  | { runId: string; status: "NOT_FOUND" };

type Row = {
  id: string;
  name: string;
  state_type: StateType;
  state_name: string;
  state_message: string | null;
  state_timestamp: Date;
  scheduled_time: Date;
  attempt: number;
  auto_retries: number;
  lease_token: string | null;
  lease_expired: boolean;
  lease_expires_at: Date | null;
  fence_until: Date | null;
  reaped_lease_token: string | null;
  agent_id: string | null;
  deployment_id: string | null;
  retries: number | null;
  retry_delay: RetryDelay | null;
  seen: string[] | null;
};

type Change = {
  id: string;
  type: StateType;
  name: string;
  message: string | null;
  scheduledTime: Date | null;
  attempt: number;
  autoRetries: number;
  keepLease: boolean;
  extendLease: boolean;
  started: boolean;
  ended: boolean;
  reopened: boolean;
  fenceUntil: Date | null;
  reapedLeaseToken: string | null;
};

/**
 * Applies a batch of proposed state changes in one transaction: one SELECT … FOR UPDATE of every
 * run concerned, the rules decided in code, then one statement that updates the runs, writes
 * their history and notifies listeners. A batch of 1 and a batch of 1,000 cost the same 4 round
 * trips. Requests for the same run apply in order.
 */
export async function applyTransitions(pool: pg.Pool, workspaceId: string, requests: TransitionRequest[]): Promise<TransitionResult[]> {
  if (requests.length === 0) return [];
  const fast = await applySimpleTransitions(pool, workspaceId, requests);
  if (fast.size === requests.length) return requests.map((_, i) => fast.get(i)!);
  const rest = requests.filter((_, i) => !fast.has(i));
  const slow = await applyWithRules(pool, workspaceId, rest);
  let next = 0;
  return requests.map((_, i) => fast.get(i) ?? slow[next++]);
}

/** The full path: lock every run concerned, decide each proposal with the rules, write all at once. */
async function applyWithRules(pool: pg.Pool, workspaceId: string, requests: TransitionRequest[]): Promise<TransitionResult[]> {
  const ids = [...new Set(requests.map((r) => r.runId))];
  const transitionIds = requests.map((r) => r.transitionId).filter((t): t is string => Boolean(t));

  return withPgTransaction(pool, async (client) => {
    const { rows } = await client.query<Row>(
      `select r.id, r.name, r.state_type, r.state_name, r.state_message, r.state_timestamp, r.scheduled_time, r.attempt,
              r.auto_retries, r.lease_token, coalesce(r.lease_expires_at < now(), false) as lease_expired, r.lease_expires_at,
              r.fence_until, r.reaped_lease_token, r.agent_id, r.deployment_id, d.retries, d.retry_delay,
              (select array_agg(s.transition_id) from flow_run_states s
                where s.flow_run_id = r.id and s.transition_id = any($3::uuid[])) as seen
         from flow_runs r left join deployments d on d.id = r.deployment_id
        where r.workspace_id = $1 and r.id = any($2::uuid[])
        order by r.id
          for update of r`,
      [workspaceId, ids, transitionIds],
    );
    const runs = new Map(rows.map((r) => [r.id, { ...r, seen: new Set(r.seen ?? []) }]));
    const now = new Date();
    const results: TransitionResult[] = [];
    const changes = new Map<string, Change>();
    const history: HistoryRow[] = [];
    const audits: { actor: Actor; action: string; runId: string; runName: string; from: string; to: string }[] = [];

    for (const req of requests) {
      const run = runs.get(req.runId);
      if (!run) {
        results.push({ runId: req.runId, status: "NOT_FOUND" });
        continue;
      }
      const current = (): CurrentState => ({ type: run.state_type, name: run.state_name, message: run.state_message, timestamp: run.state_timestamp.toISOString() });
      if (req.transitionId && run.seen.has(req.transitionId)) {
        results.push({ runId: run.id, status: "ACCEPT", state: current(), attempt: run.attempt, replayed: true, scheduledTime: run.scheduled_time.toISOString() });
        continue;
      }
      // The reaper ended this attempt, but its own final report got here after all, and no other
      // attempt has started: the report is decided as if it had arrived in time.
      const late = isLateFinalReport(run, req);
      if ((req.by === "agent" || req.by === "sdk") && !late) {
        const stale = fencingProblem(run, req.fence);
        if (stale) {
          results.push({ runId: run.id, status: "CONFLICT", reason: stale, state: current(), attempt: run.attempt });
          continue;
        }
      }
      if (req.reap && !run.lease_expired) {
        results.push({ runId: run.id, status: "REJECT", reason: "The lease was renewed.", state: current(), attempt: run.attempt });
        continue;
      }
      const fenceUntil = req.reap ? fenceAfterReap(run.lease_expires_at, req.reap.hearingSince) : null;
      const autoRetries = late && run.state_type === "SCHEDULED" ? run.auto_retries - 1 : run.auto_retries;
      const retries = run.retries ?? 0;
      const decision = decide(
        {
          type: late ? (run.state_type === "CANCELLED" ? "CANCELLING" : "RUNNING") : run.state_type,
          name: late ? (run.state_type === "CANCELLED" ? "Cancelling" : "Running") : run.state_name,
          scheduledTime: run.scheduled_time,
          retries,
          autoRetries,
          retryDelaySeconds: retryDelaySeconds(run.retry_delay, autoRetries + 1),
          hasAgent: run.deployment_id !== null,
          notBefore: fenceUntil ?? run.fence_until,
        },
        late ? { ...req.state, message: lateMessage(req.state.message) } : req.state,
        req.by,
        now,
      );
      if (decision.kind === "REJECT") {
        results.push({ runId: run.id, status: "REJECT", reason: decision.reason, state: current(), attempt: run.attempt });
        continue;
      }
      if (decision.kind === "WAIT") {
        results.push({ runId: run.id, status: "WAIT", seconds: decision.seconds, reason: decision.reason, state: current(), attempt: run.attempt });
        continue;
      }
      const s = decision.state;
      const from = run.state_type;
      const change: Change = {
        id: run.id,
        type: s.type,
        name: s.name,
        message: s.message,
        scheduledTime: decision.scheduledTime ?? null,
        attempt: decision.newAttempt ? run.attempt + 1 : run.attempt,
        autoRetries: decision.retry ? autoRetries + 1 : req.by === "user" && s.type === "SCHEDULED" ? 0 : autoRetries,
        keepLease: LEASED_STATES.includes(s.type),
        extendLease: (s.type === "RUNNING" || s.type === "PAUSED") && (req.by === "agent" || req.by === "sdk"),
        started: s.type === "RUNNING",
        ended: ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"].includes(s.type),
        reopened: s.type === "SCHEDULED" && from !== "SCHEDULED",
        fenceUntil,
        reapedLeaseToken: req.reap ? (run.lease_token ?? null) : null,
      };
      changes.set(run.id, change);
      history.push({ runId: run.id, type: s.type, name: s.name, message: s.message, attempt: change.attempt, transitionId: req.transitionId ?? null, actorLabel: req.person?.actor.label ?? null });
      if (req.person) audits.push({ ...req.person, runId: run.id, runName: run.name, from: run.state_name, to: s.name });
      if (req.transitionId) run.seen.add(req.transitionId);
      run.state_type = s.type;
      run.state_name = s.name;
      run.state_message = s.message;
      run.state_timestamp = now;
      run.attempt = change.attempt;
      run.auto_retries = change.autoRetries;
      if (change.scheduledTime) run.scheduled_time = change.scheduledTime;
      if (!change.keepLease) run.lease_token = null;
      run.reaped_lease_token = change.reapedLeaseToken;
      if (fenceUntil) run.fence_until = fenceUntil;
      results.push({ runId: run.id, status: "ACCEPT", state: current(), attempt: run.attempt, replayed: false, scheduledTime: run.scheduled_time.toISOString() });
    }

    if (changes.size > 0) await writeChanges(client, workspaceId, [...changes.values()], history);
    for (const a of audits) {
      await recordAuditEvent(client, workspaceId, a.actor, { action: a.action, targetType: "flow_run", targetId: a.runId, targetLabel: a.runName, details: { from: a.from, to: a.to } });
    }
    return results;
  });
}

/**
 * When a process whose lease expired has certainly stopped itself: its agent counted the lease
 * from when it sent the renewal, so no later than the server's expiry (or, after an outage, a
 * lease period after the server could hear again); then SIGTERM, SIGKILL a kill grace later, and a
 * margin for clock drift. No new attempt starts before this.
 */
function fenceAfterReap(leaseExpiresAt: Date | null, hearingSince: Date): Date {
  const expiry = Math.max(leaseExpiresAt?.getTime() ?? 0, hearingSince.getTime() + LEASE_SECONDS * 1000);
  return new Date(expiry + (KILL_GRACE_SECONDS + FENCE_MARGIN_SECONDS) * 1000);
}

/** A final report of the very attempt (and lease) the reaper ended, while nothing else has happened to the run since. */
function isLateFinalReport(run: Pick<Row, "attempt" | "reaped_lease_token">, req: TransitionRequest): boolean {
  if ((req.by !== "agent" && req.by !== "sdk") || !run.reaped_lease_token || !req.fence) return false;
  if (req.fence.attempt !== run.attempt || (req.fence.leaseToken !== undefined && req.fence.leaseToken !== run.reaped_lease_token)) return false;
  return TERMINAL_STATES.includes(req.state.type);
}

function lateMessage(message: string | null | undefined) {
  const note = "Reported after the lease had expired; no other attempt had started, so this result stands";
  return message ? `${message} (${note.toLowerCase()})` : note;
}

function fencingProblem(run: { attempt: number; lease_token: string | null }, fence: Fence | undefined): string | null {
  if (!fence) return "Reports about a run must carry its attempt (and lease token).";
  if (fence.attempt !== run.attempt) return `This report is for attempt ${fence.attempt}, but the run is on attempt ${run.attempt}; it was refused.`;
  if (fence.leaseToken !== undefined && fence.leaseToken !== run.lease_token) return "This agent's lease on the run was lost (it expired or the run was given to another agent).";
  return null;
}

type HistoryRow = { runId: string; type: StateType; name: string; message: string | null; attempt: number; transitionId: string | null; actorLabel: string | null };

async function writeChanges(client: pg.PoolClient, workspaceId: string, changes: Change[], history: HistoryRow[]) {
  const col = <K extends keyof Change>(k: K) => changes.map((c) => c[k]);
  await client.query(
    `with c as (
       select * from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::int[], $8::int[],
                            $9::bool[], $10::bool[], $11::bool[], $12::bool[], $13::bool[], $21::timestamptz[], $22::uuid[])
         as c(id, type, name, message, scheduled_time, attempt, auto_retries, keep_lease, extend_lease, started, ended, reopened, fence_until, reaped_lease_token)
     ), upd as (
       update flow_runs r set
         state_type = c.type, state_name = c.name, state_message = c.message, state_timestamp = now(),
         scheduled_time = coalesce(c.scheduled_time, r.scheduled_time),
         attempt = c.attempt, auto_retries = c.auto_retries,
         lease_token = case when c.keep_lease then r.lease_token end,
         lease_expires_at = case when c.extend_lease then now() + make_interval(secs => ${LEASE_SECONDS})
                                 when c.keep_lease then r.lease_expires_at end,
         fence_until = coalesce(c.fence_until, r.fence_until),
         reaped_lease_token = c.reaped_lease_token,
         agent_id = case when c.reopened then null else r.agent_id end,
         start_time = case when c.started then coalesce(r.start_time, now()) when c.reopened then null else r.start_time end,
         end_time = case when c.ended then now() when c.reopened then null else r.end_time end
       from c where r.id = any($2::uuid[]) and r.id = c.id and r.workspace_id = $1
       returning r.id, r.work_pool_id, r.state_type, r.scheduled_time, r.tags
     ), hist as (
       insert into flow_run_states (workspace_id, flow_run_id, type, name, message, attempt, transition_id, actor_label)
       select $1, h.run_id, h.type, h.name, h.message, h.attempt, h.transition_id, h.actor_label
         from unnest($14::uuid[], $15::text[], $16::text[], $17::text[], $18::int[], $19::uuid[], $20::text[])
           with ordinality as h(run_id, type, name, message, attempt, transition_id, actor_label, ord)
        order by h.ord
       returning 1
     ), events as (
       select pg_notify('baton_events', json_build_object('w', $1::text, 'kind', 'flow_run', 'ids', json_agg(id))::text)
         from (select id, (row_number() over () - 1) / 100 as chunk from upd) t group by chunk
     ), wake as (
       -- Wake long-polling agents of a pool when a run there becomes due or frees a slot, and of
       -- the other pools whose due runs wait for a slot of a tag limit it freed.
       select pg_notify('baton_dispatch', p.work_pool_id::text)
         from (select work_pool_id from upd
                where work_pool_id is not null and state_type in ('SCHEDULED', 'COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED')
               union
               ${tagSlotWakePools("(select tags from upd where state_type in ('SCHEDULED', 'COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED'))")}) p
     )
     select (select count(*) from upd) as updated, (select count(*) from hist) as written,
            (select count(*) from events) as events, (select count(*) from wake) as woken`,
    [
      workspaceId,
      col("id"),
      col("type"),
      col("name"),
      col("message"),
      col("scheduledTime"),
      col("attempt"),
      col("autoRetries"),
      col("keepLease"),
      col("extendLease"),
      col("started"),
      col("ended"),
      col("reopened"),
      history.map((h) => h.runId),
      history.map((h) => h.type),
      history.map((h) => h.name),
      history.map((h) => h.message),
      history.map((h) => h.attempt),
      history.map((h) => h.transitionId),
      history.map((h) => h.actorLabel),
      col("fenceUntil"),
      col("reapedLeaseToken"),
    ],
  );
}
