import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { STATE_TYPES, TERMINAL_STATES, type StateType } from "../agent/protocol/states";
import { claimRuns } from "../server/dispatch/claim-runs";
import { applyTransitions, type TransitionRequest } from "../server/orchestration/apply-transitions";
import type { Proposer } from "../server/orchestration/rules";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers } from "./helpers/fixtures";

const { db } = await createTestDatabase();
const pool = db.$client;

/** A small deterministic PRNG, so a failing sequence can be replayed from its seed. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) % 2 ** 32;
    return seed / 2 ** 32;
  };
}

describe("random proposal sequences keep the invariants", () => {
  it("thousands of proposals: no change after a terminal state except a person's retry, attempts only grow, history matches the run", { timeout: 120_000 }, async () => {
    const { ws } = await createWorkspaceWithMembers(db);
    const { rows: [setup] } = await pool.query<{ pool_id: string; flow_id: string; dep_id: string; agent_id: string }>(
      `with p as (select id from work_pools where workspace_id = $1 and name = 'default'),
            f as (insert into flows (workspace_id, name) values ($1, 'fuzz') returning id),
            d as (insert into deployments (workspace_id, flow_id, name, kind, command, work_pool_id, retries, retry_delay)
                  select $1, f.id, 'fuzz', 'command', 'true', p.id, 2, '{"kind":"fixed","seconds":0}' from f, p returning id, flow_id, work_pool_id),
            a as (insert into agents (workspace_id, work_pool_id, name) select $1, id, 'fuzzer' from p returning id)
       select d.work_pool_id as pool_id, d.flow_id, d.id as dep_id, a.id as agent_id from d, a`,
      [ws.id],
    );
    await pool.query(
      `insert into flow_runs (id, workspace_id, flow_id, deployment_id, work_pool_id, name, state_type, state_name, scheduled_time)
       select gen_random_uuid(), $1, $2, $3, $4, 'fuzz-' || g, 'SCHEDULED', 'Scheduled', now() - interval '1 minute' from generate_series(1, 25) g`,
      [ws.id, setup.flow_id, setup.dep_id, setup.pool_id],
    );
    const runIds = (await pool.query<{ id: string }>("select id from flow_runs where workspace_id = $1", [ws.id])).rows.map((r) => r.id);
    type Snap = { state_type: StateType; attempt: number; lease_token: string | null };
    const snapshot = async () =>
      new Map((await pool.query<Snap & { id: string }>("select id, state_type, attempt, lease_token from flow_runs where workspace_id = $1", [ws.id])).rows.map((r) => [r.id, r]));

    // The seed picks a sequence that reaches every state type (42 stopped reaching CANCELLING once PAUSED joined the types).
    const random = rng(43);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
    const usedTransitions: { runId: string; id: string }[] = [];
    let before = await snapshot();
    let proposals = 0;
    let accepted = 0;
    for (let step = 0; step < 700; step++) {
      if (random() < 0.2) {
        await claimRuns(pool, { workspaceId: ws.id, workPoolId: setup.pool_id, agentId: setup.agent_id, slots: 1 + Math.floor(random() * 4) });
      }
      const batch: TransitionRequest[] = [];
      for (let i = 0; i < 1 + Math.floor(random() * 8); i++) {
        const runId = pick(runIds);
        const cur = before.get(runId)!;
        const by = pick<Proposer>(["agent", "agent", "agent", "sdk", "user", "server"]);
        const staleFence = random() < 0.15;
        const replay = random() < 0.1 && usedTransitions.length > 0 ? pick(usedTransitions) : null;
        const transitionId = replay && replay.runId === runId ? replay.id : randomUUID();
        usedTransitions.push({ runId, id: transitionId });
        batch.push({
          runId,
          by,
          transitionId,
          state: { type: pick(STATE_TYPES), name: random() < 0.1 ? "Late" : undefined },
          fence: { attempt: staleFence ? cur.attempt - 1 : cur.attempt, leaseToken: staleFence ? randomUUID() : (cur.lease_token ?? undefined) },
        });
      }
      proposals += batch.length;
      const results = await applyTransitions(pool, ws.id, batch);
      accepted += results.filter((r) => r.status === "ACCEPT" && !r.replayed).length;
      const after = await snapshot();
      for (const [id, a] of after) {
        const b = before.get(id)!;
        expect(a.attempt, `attempt of ${id} went down`).toBeGreaterThanOrEqual(b.attempt);
        if (TERMINAL_STATES.includes(b.state_type) && a.state_type !== b.state_type) {
          // Only a person's retry reopens a finished run.
          const reqs = batch.filter((r) => r.runId === id);
          const accepted = results.filter((r, i) => batch[i].runId === id && r.status === "ACCEPT" && !r.replayed);
          expect(accepted.length, `terminal ${id} changed`).toBeGreaterThan(0);
          expect(reqs.some((r) => r.by === "user" && r.state.type === "SCHEDULED")).toBe(true);
        }
      }
      results.forEach((r, i) => {
        if (r.status === "CONFLICT") expect(batch[i].by === "agent" || batch[i].by === "sdk").toBe(true);
      });
      before = after;
    }
    expect(proposals).toBeGreaterThan(2000);
    // The sequence really moved runs through their states, not just bounced off the rules.
    expect(accepted).toBeGreaterThan(100);
    const reached = (await pool.query("select distinct type from flow_run_states where workspace_id = $1", [ws.id])).rows.map((r) => r.type).sort();
    expect(reached).toEqual([...STATE_TYPES].sort());

    // History ends in each run's current state, with the same attempt.
    const { rows: mismatched } = await pool.query(
      `select r.id from flow_runs r
         join lateral (select type, name, attempt from flow_run_states s where s.flow_run_id = r.id order by id desc limit 1) last on true
        where r.workspace_id = $1 and (last.type <> r.state_type or last.name <> r.state_name or last.attempt <> r.attempt)`,
      [ws.id],
    );
    expect(mismatched).toEqual([]);
    // Every claim incremented the attempt: PENDING rows in history have strictly increasing attempts per run.
    const { rows: badAttempts } = await pool.query(
      `select flow_run_id from (select flow_run_id, attempt, lag(attempt) over (partition by flow_run_id order by id) as prev
                                   from flow_run_states where workspace_id = $1 and type = 'PENDING') t
        where prev is not null and attempt <= prev`,
      [ws.id],
    );
    expect(badAttempts).toEqual([]);
  });
});
