import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Waiting } from "../agent/protocol/waiting";
import { startCliEnvironment } from "./helpers/cli";

/**
 * "Why is this run waiting?": each reason set up for real on the built app, read back through
 * GET /flow-runs/{id}, the list, `baton runs ls` and the run page's procedure; and checked against
 * a real claim: a run said to be claimable is taken, a run with a blocker is not until it goes.
 */
const env = await startCliEnvironment();
const caller = env.workspace.owner.caller;
const slug = env.workspace.ws.slug;

type Run = { id: string; name: string; state: { type: string; name: string }; waiting?: Waiting | null };
type Claimed = { id: string; attempt: number; leaseToken: string };

async function pool(name: string, body: Record<string, unknown> = {}) {
  await env.api("POST", "/work-pools", { name, ...body });
}
async function agentIn(poolName: string) {
  return (await env.api("POST", "/agents", { name: `${poolName}-${randomUUID().slice(0, 6)}`, workPool: poolName, slots: 2 })).id as string;
}
async function deployment(poolName: string, over: Record<string, unknown> = {}) {
  return (await env.api("PUT", "/deployments", { flowName: "wait", name: `d-${randomUUID().slice(0, 8)}`, kind: "command", command: "true", workPool: poolName, ...over })).deployment as { id: string; name: string };
}
async function run(deploymentId: string, body: Record<string, unknown> = {}) {
  return (await env.api("POST", `/deployments/${deploymentId}/runs`, body)).run as Run;
}
async function claim(poolName: string, agentId: string): Promise<Claimed[]> {
  const res = await env.api("POST", `/work-pools/${poolName}/claim`, { agentId, slots: 5 });
  return res.runs;
}
async function finish(c: Claimed) {
  const reports = [{ runId: c.id, attempt: c.attempt, leaseToken: c.leaseToken, transitionId: randomUUID(), state: { type: "COMPLETED" } }];
  await env.api("POST", "/flow-runs/states", { reports });
}

/** The reasons of a run as the API (detail and list), the run page's procedure and `baton runs ls` give them; all must agree. */
async function reasons(r: Run) {
  const detail = (await env.api("GET", `/flow-runs/${r.id}`)) as Run;
  const listed = ((await env.api("GET", "/flow-runs?state=SCHEDULED&limit=100")).runs as Run[]).find((x) => x.id === r.id);
  expect(listed?.waiting).toEqual(detail.waiting);
  expect(await caller.runs.waiting({ workspace: slug, runId: r.id })).toEqual(detail.waiting);
  const ls = await env.cli(["runs", "ls", "--state", "SCHEDULED", "--limit", "100"]);
  const line = ls.stdout.split("\n").find((l) => l.startsWith(r.id)) ?? "";
  for (const reason of detail.waiting!.reasons) expect(line).toContain(reason.message);
  return detail.waiting!;
}

describe("why is this run waiting?", () => {
  it("no agent ever joined its pool: says so; the conditions hold, so an agent that joins claims it", { timeout: 60_000 }, async () => {
    await pool("lonely");
    const r = await run((await deployment("lonely")).id);
    const w = await reasons(r);
    expect(w.claimable).toBe(true);
    expect(w.reasons).toMatchObject([{ kind: "no_agent_online", pool: "lonely", lastSeenAt: null, message: 'No agent of pool "lonely" is online; none has ever joined it. Start one: baton agent start --pool lonely' }]);
    expect((await claim("lonely", await agentIn("lonely"))).map((c) => c.id)).toEqual([r.id]);
  });

  it("its pool's agents went offline: names the last one seen and when", { timeout: 60_000 }, async () => {
    await pool("gone");
    const agentId = await agentIn("gone");
    // Its agent stopped heartbeating five minutes ago.
    await env.db.$client.query("update agents set last_heartbeat_at = now() - interval '5 minutes' where id = $1", [agentId]);
    const { rows } = await env.db.$client.query<{ name: string; seen: Date }>("select name, last_heartbeat_at as seen from agents where id = $1", [agentId]);
    const r = await run((await deployment("gone")).id);
    const w = await reasons(r);
    expect(w.reasons).toMatchObject([{ kind: "no_agent_online", lastAgent: rows[0].name, lastSeenAt: rows[0].seen.toISOString() }]);
    expect(w.reasons[0].message).toContain(`the last one, "${rows[0].name}", was seen at ${rows[0].seen.toISOString()}`);
  });

  it("an online agent and nothing in the way: due, waiting for a claim; a claim takes it", { timeout: 60_000 }, async () => {
    await pool("ready");
    const agentId = await agentIn("ready");
    const r = await run((await deployment("ready")).id);
    const w = await reasons(r);
    expect(w).toMatchObject({ claimable: true, reasons: [{ kind: "waiting_for_claim", onlineAgents: 1, slotsBusy: false, message: 'Due; waiting for an agent of pool "ready" to claim it (1 online, claiming).' }] });
    expect((await claim("ready", agentId)).map((c) => c.id)).toEqual([r.id]);
  });

  it("not due yet: says when; a claim does not take it", { timeout: 60_000 }, async () => {
    await pool("later");
    const agentId = await agentIn("later");
    const due = new Date(Date.now() + 3_600_000);
    const r = await run((await deployment("later")).id, { scheduledTime: due.toISOString() });
    const w = await reasons(r);
    expect(w).toMatchObject({ claimable: false, reasons: [{ kind: "not_due", dueAt: due.toISOString() }] });
    expect(await claim("later", agentId)).toEqual([]);
  });

  it("the pool paused, then the deployment paused: each named; a claim takes the run only once both resumed", { timeout: 60_000 }, async () => {
    await pool("halted");
    const agentId = await agentIn("halted");
    const d = await deployment("halted");
    const r = await run(d.id);
    await env.api("PATCH", "/work-pools/halted", { paused: true });
    await env.api("POST", `/deployments/${d.id}/pause`);
    const w = await reasons(r);
    expect(w.claimable).toBe(false);
    expect(w.reasons.map((x) => x.kind)).toEqual(["pool_paused", "deployment_paused"]);
    expect(await claim("halted", agentId)).toEqual([]);
    await env.api("PATCH", "/work-pools/halted", { paused: false });
    expect((await reasons(r)).reasons.map((x) => x.kind)).toEqual(["deployment_paused"]);
    expect(await claim("halted", agentId)).toEqual([]);
    await env.api("POST", `/deployments/${d.id}/resume`);
    expect((await reasons(r)).claimable).toBe(true);
    expect((await claim("halted", agentId)).map((c) => c.id)).toEqual([r.id]);
  });

  it("the pool's, the deployment's and a tag's limit full: each names the runs holding it; freeing the slot lets the claim take it", { timeout: 90_000 }, async () => {
    await env.api("PUT", "/concurrency-limits/gpu", { limit: 1 });
    const cases = [
      { kind: "pool_limit_full", p: "pool-capped", poolBody: { concurrencyLimit: 1 }, deploymentBody: {}, tags: [] },
      { kind: "deployment_limit_full", p: "dep-capped", poolBody: {}, deploymentBody: { concurrencyLimit: 1 }, tags: [] },
      { kind: "tag_limit_full", p: "tag-capped", poolBody: {}, deploymentBody: {}, tags: ["gpu"] },
    ];
    for (const { kind, p, poolBody, deploymentBody, tags } of cases) {
      await pool(p, poolBody);
      const d = await deployment(p, deploymentBody);
      const agentId = await agentIn(p);
      const first = await run(d.id, { tags });
      const [holder] = await claim(p, agentId);
      expect(holder.id).toBe(first.id);
      const r = await run(d.id, { tags });
      const w = await reasons(r);
      expect(w.claimable, kind).toBe(false);
      expect(w.reasons[0]).toMatchObject({ kind, limit: 1, holders: [{ id: first.id, name: first.name }] });
      expect(w.reasons[0].message).toContain(`(1 of 1), held by ${first.name}.`);
      expect(await claim(p, agentId)).toEqual([]);
      await finish(holder);
      expect((await reasons(r)).claimable).toBe(true);
      expect((await claim(p, agentId)).map((c) => c.id)).toEqual([r.id]);
    }
  });

  it("a tag limit of 0 says it holds every run with the tag; removing it lets the claim take the run", { timeout: 60_000 }, async () => {
    await pool("frozen");
    const agentId = await agentIn("frozen");
    await env.api("PUT", "/concurrency-limits/migration", { limit: 0 });
    const r = await run((await deployment("frozen")).id, { tags: ["migration"] });
    const w = await reasons(r);
    expect(w.reasons).toMatchObject([{ kind: "tag_limit_full", tag: "migration", limit: 0, holders: [], message: 'Tag "migration" is at its concurrency limit (0 of 0): the limit is 0, which holds every run with the tag.' }]);
    expect(await claim("frozen", agentId)).toEqual([]);
    await env.cli(["concurrency", "rm", "migration"]);
    expect((await claim("frozen", agentId)).map((c) => c.id)).toEqual([r.id]);
    // A run that is not waiting carries no reasons.
    expect(((await env.api("GET", `/flow-runs/${r.id}`)) as Run).waiting).toBeNull();
  });
});
