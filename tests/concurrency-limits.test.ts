import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { auditEvents } from "../server/db/schema";
import { reapExpiredLeases } from "../server/orchestration/reap-expired-leases";
import { startApiServer } from "./helpers/api-server";
import { waitFor } from "./helpers/app-process";
import { createTestDatabase } from "./helpers/db";
import { claim, deploy, orchestrationWorkspace, poolWithAgent, report, setTagLimit, startRun } from "./helpers/orchestration";
import { createWorkspaceWithMembers } from "./helpers/fixtures";
import { startCliEnvironment } from "./helpers/cli";
import { and, eq } from "drizzle-orm";

const { db } = await createTestDatabase();
const api = await startApiServer(db);

/** A workspace with two pools ("default" and "second"), an agent in each, and a deployment per pool. */
async function twoPools(name: string) {
  const s = await orchestrationWorkspace(db, api, `${name}-a`);
  const secondAgent = await poolWithAgent(api, s.key, s.agentKey, "second", `${name}-b`);
  const first = await deploy(api, s.key);
  const second = await deploy(api, s.key, { workPool: "second" });
  return { ...s, secondAgent, first, second };
}

/** A long poll that resolves with the runs it got and how long it waited. */
function longPoll(agentKey: string, agentId: string, pool: string, waitSeconds = 25) {
  const t = Date.now();
  return claim(api, agentKey, agentId, { pool, waitSeconds }).then((runs) => ({ runs, waitedMs: Date.now() - t }));
}

/** A long poll that has not answered within a moment is parked waiting (nothing claimable yet). */
function parked<T>(p: Promise<T>) {
  let answered = false;
  void p.then(() => (answered = true));
  return Object.assign(p, {
    parked: async () => {
      await new Promise((r) => setTimeout(r, 300));
      expect(answered, "the long poll answered before the slot was freed").toBe(false);
    },
  });
}

describe("concurrency limits by tag", () => {
  it("owners and developers set and remove limits; runners and viewers only read; agent keys get nothing; each change is audited", async () => {
    const w = await createWorkspaceWithMembers(db, ["developer", "runner", "viewer"]);
    const keys: Record<string, string> = {};
    for (const role of ["owner", "developer", "runner", "viewer", "agent"] as const) {
      keys[role] = (await w.owner.caller.apiKeys.create({ workspace: w.ws.slug, name: role, role })).key;
    }
    expect((await api.call("PUT", "/api/v1/concurrency-limits/gpu", { key: keys.developer, body: { limit: 2 } })).json).toMatchObject({ tag: "gpu", limit: 2, taken: 0, holders: [] });
    expect((await api.call("PUT", "/api/v1/concurrency-limits/gpu", { key: keys.owner, body: { limit: 1 } })).status).toBe(200);
    for (const role of ["runner", "viewer"]) {
      const list = await api.call("GET", "/api/v1/concurrency-limits", { key: keys[role] });
      expect(list.json.concurrencyLimits).toMatchObject([{ tag: "gpu", limit: 1 }]);
      const put = await api.call("PUT", "/api/v1/concurrency-limits/gpu", { key: keys[role], body: { limit: 5 } });
      expect(put.status).toBe(403);
      expect(put.json.error.message).toContain(`${role} role cannot do this`);
      expect((await api.call("DELETE", "/api/v1/concurrency-limits/gpu", { key: keys[role] })).status).toBe(403);
    }
    expect((await api.call("GET", "/api/v1/concurrency-limits", { key: keys.agent })).status).toBe(403);
    expect((await api.call("PUT", "/api/v1/concurrency-limits/gpu", { key: keys.agent, body: { limit: 5 } })).status).toBe(403);
    expect((await api.call("PUT", "/api/v1/concurrency-limits/gpu", { key: keys.owner, body: { limit: -1 } })).status).toBe(422);

    // The browser's procedures check the role on the server too.
    await expect(w.members.runner.caller.concurrencyLimits.set({ workspace: w.ws.slug, tag: "gpu", limit: 9 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(w.members.viewer.caller.concurrencyLimits.remove({ workspace: w.ws.slug, tag: "gpu" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await w.members.viewer.caller.concurrencyLimits.list({ workspace: w.ws.slug })).toMatchObject([{ tag: "gpu", limit: 1 }]);
    await w.members.developer.caller.concurrencyLimits.set({ workspace: w.ws.slug, tag: "io", limit: 3 });
    await w.members.developer.caller.concurrencyLimits.remove({ workspace: w.ws.slug, tag: "io" });

    expect((await api.call("DELETE", "/api/v1/concurrency-limits/gpu", { key: keys.developer })).status).toBe(204);
    const missing = await api.call("DELETE", "/api/v1/concurrency-limits/gpu", { key: keys.developer });
    expect(missing.status).toBe(404);
    expect(missing.json.error.message).toContain('No concurrency limit for tag "gpu"');

    const events = await db.select().from(auditEvents).where(and(eq(auditEvents.workspaceId, w.ws.id), eq(auditEvents.targetType, "concurrency_limit"))).orderBy(auditEvents.id);
    expect(events.map((e) => [e.action, e.targetLabel, e.details])).toEqual([
      ["concurrency_limit.set", "gpu", { from: null, to: 2 }],
      ["concurrency_limit.set", "gpu", { from: 2, to: 1 }],
      ["concurrency_limit.set", "io", { from: null, to: 3 }],
      ["concurrency_limit.removed", "io", { limit: 3 }],
      ["concurrency_limit.removed", "gpu", { limit: 1 }],
    ]);
    expect(events.map((e) => e.actorLabel).slice(2, 4)).toEqual([w.members.developer.user.email, w.members.developer.user.email]);
  });

  it("a limit spans pools and lists the runs holding it; a run with several limited tags needs a slot in each", async () => {
    const s = await twoPools("span");
    await setTagLimit(api, s.key, "gpu", 1);
    await setTagLimit(api, s.key, "big", 1);
    const a = await startRun(api, s.key, s.first.id, { tags: ["gpu"] });
    const b = await startRun(api, s.key, s.second.id, { tags: ["gpu"] });
    const [held] = await claim(api, s.agentKey, s.agentId, { slots: 5 });
    expect(held.id).toBe(a.id);
    expect(await claim(api, s.agentKey, s.secondAgent, { pool: "second", slots: 5 })).toEqual([]);
    const list = await api.call("GET", "/api/v1/concurrency-limits", { key: s.key });
    expect(list.json.concurrencyLimits).toMatchObject([
      { tag: "big", limit: 1, taken: 0, holders: [] },
      { tag: "gpu", limit: 1, taken: 1, holders: [{ id: a.id, name: expect.any(String), state: { type: "PENDING" }, workPool: "default" }] },
    ]);

    // "big" is free, "gpu" is not: a run carrying both waits; one carrying only "big" goes.
    const both = await startRun(api, s.key, s.second.id, { tags: ["big", "gpu"] });
    const bigOnly = await startRun(api, s.key, s.second.id, { tags: ["big"] });
    expect((await claim(api, s.agentKey, s.secondAgent, { pool: "second", slots: 5 })).map((r) => r.id)).toEqual([bigOnly.id]);
    await report(api, s.agentKey, held, "RUNNING");
    await report(api, s.agentKey, held, "COMPLETED");
    // gpu is free now, big is still held by bigOnly: b (gpu only) goes, `both` still waits.
    expect((await claim(api, s.agentKey, s.secondAgent, { pool: "second", slots: 5 })).map((r) => r.id)).toEqual([b.id]);
    const { rows } = await db.$client.query("select state_name from flow_runs where id = $1", [both.id]);
    expect(rows[0].state_name).toBe("Scheduled");
  });

  it("limit 0 holds every run with the tag, and the others still start; removing the limit lets them go", async () => {
    const s = await twoPools("zero");
    await setTagLimit(api, s.key, "frozen", 0);
    const held = await startRun(api, s.key, s.first.id, { tags: ["frozen", "x"] });
    const free = await startRun(api, s.key, s.first.id, { tags: ["x"] });
    expect((await claim(api, s.agentKey, s.agentId, { slots: 5 })).map((r) => r.id)).toEqual([free.id]);
    expect(await claim(api, s.agentKey, s.agentId, { slots: 5 })).toEqual([]);
    expect((await api.call("DELETE", "/api/v1/concurrency-limits/frozen", { key: s.key })).status).toBe(204);
    expect((await claim(api, s.agentKey, s.agentId, { slots: 5 })).map((r) => r.id)).toEqual([held.id]);
  });

  it("runs blocked by a full tag do not starve the others: 200 older gpu runs wait, the untagged ones are claimed", async () => {
    const s = await twoPools("starve");
    await setTagLimit(api, s.key, "gpu", 1);
    await db.$client.query(
      `insert into flow_runs (id, workspace_id, flow_id, deployment_id, work_pool_id, name, tags, state_type, state_name, scheduled_time)
       select gen_random_uuid(), d.workspace_id, d.flow_id, d.id, d.work_pool_id, 'gpu-' || g, '{gpu}', 'SCHEDULED', 'Scheduled', now() - interval '1 hour' + g * interval '1 ms'
         from deployments d, generate_series(1, 200) g where d.id = $1`,
      [s.first.id],
    );
    const plain = [];
    for (let i = 0; i < 5; i++) plain.push((await startRun(api, s.key, s.first.id)).id);
    const got = await claim(api, s.agentKey, s.agentId, { slots: 6 });
    expect(got).toHaveLength(6);
    const { rows } = await db.$client.query<{ n: number }>("select count(*)::int as n from flow_runs where id = any($1) and 'gpu' = any(tags)", [got.map((r) => r.id)]);
    expect(rows[0].n).toBe(1);
    expect(got.map((r) => r.id)).toEqual(expect.arrayContaining(plain));
    expect(await claim(api, s.agentKey, s.agentId, { slots: 6 })).toEqual([]);
  });

  it("when a holder ends, a waiting long poll of another pool is woken at once; raising the limit wakes one too", { timeout: 60_000 }, async () => {
    const s = await twoPools("wake");
    await setTagLimit(api, s.key, "gpu", 1);
    await startRun(api, s.key, s.first.id, { tags: ["gpu"] });
    const [held] = await claim(api, s.agentKey, s.agentId);
    const waiting = await startRun(api, s.key, s.second.id, { tags: ["gpu"] });
    const poll = parked(longPoll(s.agentKey, s.secondAgent, "second"));
    await poll.parked();
    await report(api, s.agentKey, held, "RUNNING");
    await report(api, s.agentKey, held, "COMPLETED");
    const woken = await poll;
    expect(woken.runs.map((r) => r.id)).toEqual([waiting.id]);
    expect(woken.waitedMs).toBeLessThan(10_000);

    // Raising the limit: the next gpu run waits behind the one just claimed, until the limit is 2.
    const next = await startRun(api, s.key, s.first.id, { tags: ["gpu"] });
    const poll2 = parked(longPoll(s.agentKey, s.agentId, "default"));
    await poll2.parked();
    await setTagLimit(api, s.key, "gpu", 2);
    const raised = await poll2;
    expect(raised.runs.map((r) => r.id)).toEqual([next.id]);
    expect(raised.waitedMs).toBeLessThan(10_000);
  });

  it("a killed holder (no more heartbeats) frees its slot when its lease expires and the run is Crashed: the other pool's run starts; no slot leaks", { timeout: 60_000 }, async () => {
    const s = await twoPools("leak");
    await setTagLimit(api, s.key, "gpu", 1);
    await startRun(api, s.key, s.first.id, { tags: ["gpu"] });
    const [held] = await claim(api, s.agentKey, s.agentId);
    await report(api, s.agentKey, held, "RUNNING");
    const waiting = await startRun(api, s.key, s.second.id, { tags: ["gpu"] });
    // The holder's agent is gone: it never reports again. The reaper (a background service in
    // the app) is called here until the lease has expired.
    const poll = longPoll(s.agentKey, s.secondAgent, "second", 30);
    await waitFor(
      async () => {
        await reapExpiredLeases(db.$client, { hearingSince: new Date(0) });
        return (await db.$client.query("select 1 from flow_runs where id = $1 and state_type = 'CRASHED'", [held.id])).rowCount === 1;
      },
      { timeoutMs: 30_000, what: "the holder's lease to expire" },
    );
    const woken = await poll;
    expect(woken.runs.map((r) => r.id)).toEqual([waiting.id]);
    const list = await api.call("GET", "/api/v1/concurrency-limits", { key: s.key });
    expect(list.json.concurrencyLimits[0]).toMatchObject({ tag: "gpu", taken: 1, holders: [{ id: waiting.id }] });
  });

  it("a holder that fails or is cancelled frees its slot too", async () => {
    const s = await twoPools("fail");
    await setTagLimit(api, s.key, "gpu", 1);
    await startRun(api, s.key, s.first.id, { tags: ["gpu"] });
    const [held] = await claim(api, s.agentKey, s.agentId);
    const waiting = await startRun(api, s.key, s.second.id, { tags: ["gpu"] });
    await report(api, s.agentKey, held, "RUNNING");
    await report(api, s.agentKey, held, "FAILED", { message: "exit 1" });
    const [next] = await claim(api, s.agentKey, s.secondAgent, { pool: "second" });
    expect(next.id).toBe(waiting.id);
    const third = await startRun(api, s.key, s.first.id, { tags: ["gpu"] });
    expect(await claim(api, s.agentKey, s.agentId)).toEqual([]);
    await report(api, s.agentKey, next, "RUNNING");
    expect((await api.call("POST", `/api/v1/flow-runs/${waiting.id}/cancel`, { key: s.key })).status).toBe(200);
    // Cancelling holds the slot until the agent confirms the run stopped.
    expect(await claim(api, s.agentKey, s.agentId)).toEqual([]);
    await report(api, s.agentKey, next, "CANCELLED");
    expect((await claim(api, s.agentKey, s.agentId)).map((r) => r.id)).toEqual([third.id]);
  });
});

describe("baton concurrency and baton.yaml's concurrency:", async () => {
  const env = await startCliEnvironment();

  it("baton concurrency set | ls | rm, as a process, through the real app", { timeout: 120_000 }, async () => {
    const set = await env.cli(["concurrency", "set", "gpu", "1"]);
    expect(set.stderr).toBe("");
    expect(set.stdout).toContain('Tag "gpu": at most 1 run at once across all pools (0 running now).');
    const d = await env.deployCommand("tagged", "sleep 30");
    const run = await env.api("POST", `/deployments/${d.id}/runs`, { tags: ["gpu"] });
    const agent = env.startAgent(["--name", "cli-gpu"]);
    await waitFor(async () => (await env.cli(["concurrency", "ls"])).stdout.includes("1/1"), { timeoutMs: 30_000, what: "the run to take the slot" });
    const ls = await env.cli(["concurrency", "ls"]);
    expect(ls.stdout.split("\n")[0]).toMatch(/^TAG\s+TAKEN\/LIMIT\s+HELD BY$/);
    expect(ls.stdout).toMatch(new RegExp(`gpu\\s+1/1\\s+${run.run.name} \\((Pending|Running)\\)`));
    const json = JSON.parse((await env.cli(["concurrency", "ls", "--json"])).stdout);
    expect(json).toMatchObject([{ tag: "gpu", limit: 1, taken: 1, holders: [{ id: run.run.id }] }]);
    agent.child.kill("SIGKILL");

    const bad = await env.cli(["concurrency", "set", "gpu", "1.5"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('LIMIT must be a whole number of at least 0, not "1.5"');
    const rm = await env.cli(["concurrency", "rm", "gpu"]);
    expect(rm.stdout).toContain('Removed the concurrency limit of tag "gpu".');
    const again = await env.cli(["concurrency", "rm", "gpu"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('No concurrency limit for tag "gpu"');
    expect((await env.cli(["concurrency", "ls"])).stdout).toContain("No concurrency limits.");
  });

  it("baton deploy applies the file's concurrency: list (created, then changed), and refuses a bad entry before changing anything", { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baton-yaml-"));
    const file = path.join(dir, "baton.yaml");
    fs.writeFileSync(file, "concurrency:\n  - { tag: gpu, limit: 1 }\n  - { tag: db, limit: 4 }\ndeployments:\n  - name: nightly\n    command: echo hi\n    tags: [gpu]\n");
    const first = await env.cli(["deploy"], { cwd: dir });
    expect(first.stderr).toBe("");
    expect(first.stdout).toContain('Concurrency limit: tag "gpu" at most 1 at once');
    expect(first.stdout).toContain("Created: nightly/nightly");
    fs.writeFileSync(file, "concurrency:\n  - { tag: gpu, limit: 2 }\ndeployments:\n  - name: nightly\n    command: echo hi\n    tags: [gpu]\n");
    expect((await env.cli(["deploy"], { cwd: dir })).stdout).toContain('tag "gpu" at most 2 at once');
    const limits = (await env.api("GET", "/concurrency-limits")).concurrencyLimits;
    expect(limits.map((l: { tag: string; limit: number }) => [l.tag, l.limit])).toEqual([["db", 4], ["gpu", 2]]);

    fs.writeFileSync(file, "concurrency:\n  - { tag: gpu, limit: many }\ndeployments:\n  - name: nightly\n    command: echo hi\n");
    const bad = await env.cli(["deploy"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("concurrency.0.limit");
    expect((await env.api("GET", "/concurrency-limits")).concurrencyLimits.find((l: { tag: string }) => l.tag === "gpu").limit).toBe(2);
  });
});
