import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fillSchedules } from "../../server/scheduling/fill-schedules";
import { startApiServer } from "../helpers/api-server";
import { createTestDatabase } from "../helpers/db";
import { createWorkspaceWithMembers } from "../helpers/fixtures";

/**
 * Issue 13: deployments, schedules, work pools, automations and the runs people start, cancel
 * or retry are in the audit log with who did it, whether through the app (tRPC) or /api/v1 with
 * a key (which acts as its creator); a run's state history names the person.
 */

const { db } = await createTestDatabase();
const api = await startApiServer(db);

/** A workspace with a developer (the actor) and a developer-role key of theirs. */
async function team() {
  const w = await createWorkspaceWithMembers(db, ["developer"]);
  const dev = w.members.developer;
  const { key } = await dev.caller.apiKeys.create({ workspace: w.ws.slug, name: "ci", role: "developer" });
  /** The audit log as its owner reads it (Settings → Audit log), oldest first, of one target type. */
  const audit = async (targetType: string) => {
    const page = await w.owner.caller.audit.list({ workspace: w.ws.slug, limit: 200 });
    return page.items
      .filter((e) => e.targetType === targetType)
      .reverse()
      .map((e) => ({ actor: e.actorLabel, action: e.action, target: e.targetLabel, details: e.details }));
  };
  return { ...w, slug: w.ws.slug, dev, devEmail: dev.user.email, key, audit };
}

async function call(method: string, path: string, key: string, body?: unknown) {
  const res = await api.call(method, path, { key, body });
  expect(res.status, JSON.stringify(res.json)).toBeLessThan(300);
  return res.json;
}

describe("audit log: deployments", () => {
  it("baton deploy's upsert says created or what changed; pause, resume and delete name the person, through /api/v1 and tRPC", async () => {
    const t = await team();
    const spec = { flowName: "etl", name: "nightly", kind: "command", command: "true", tags: ["a"] };
    const first = await call("PUT", "/api/v1/deployments", t.key, spec);
    expect(first.created).toBe(true);
    // The same deploy again changes nothing and writes nothing.
    await call("PUT", "/api/v1/deployments", t.key, spec);
    await call("PUT", "/api/v1/deployments", t.key, { ...spec, tags: ["a", "b"], retries: 2 });
    const id = first.deployment.id as string;
    await t.dev.caller.deployments.setPaused({ workspace: t.slug, deploymentId: id, paused: true });
    await call("POST", `/api/v1/deployments/${id}/resume`, t.key);
    await call("DELETE", `/api/v1/deployments/${id}`, t.key);

    const who = t.devEmail;
    expect(await t.audit("deployment")).toEqual([
      { actor: who, action: "deployment.created", target: "etl/nightly", details: { kind: "command", workPool: "default" } },
      { actor: who, action: "deployment.updated", target: "etl/nightly", details: { changed: ["tags", "retries"] } },
      { actor: who, action: "deployment.paused", target: "etl/nightly", details: null },
      { actor: who, action: "deployment.resumed", target: "etl/nightly", details: null },
      { actor: who, action: "deployment.deleted", target: "etl/nightly", details: null },
    ]);
  });
});

describe("audit log: schedules", () => {
  it("added, changed, deactivated, activated and removed in the schedule editor, and added by baton deploy", async () => {
    const t = await team();
    const { deployment } = await call("PUT", "/api/v1/deployments", t.key, {
      flowName: "etl",
      name: "hourly",
      kind: "command",
      command: "true",
      schedules: [{ kind: "interval", intervalSeconds: 3600 }],
    });
    const save = (schedules: { kind: "cron"; cron: string; timezone: string; active: boolean }[]) =>
      t.dev.caller.deployments.replaceSchedules({ workspace: t.slug, deploymentId: deployment.id, schedules });
    await save([{ kind: "cron", cron: "0 9 * * *", timezone: "Europe/Berlin", active: true }]);
    await save([{ kind: "cron", cron: "0 10 * * *", timezone: "Europe/Berlin", active: true }]);
    await save([{ kind: "cron", cron: "0 10 * * *", timezone: "Europe/Berlin", active: false }]);
    await save([{ kind: "cron", cron: "0 10 * * *", timezone: "Europe/Berlin", active: true }]);
    await save([]);

    const who = t.devEmail;
    const target = "etl/hourly";
    expect(await t.audit("schedule")).toEqual([
      { actor: who, action: "schedule.created", target, details: { schedule: "every 3600 s (UTC)" } },
      // The editor's first save swaps the interval for a cron: one schedule took the other's place.
      { actor: who, action: "schedule.updated", target, details: { from: "every 3600 s (UTC)", to: 'cron "0 9 * * *" (Europe/Berlin)' } },
      { actor: who, action: "schedule.updated", target, details: { from: 'cron "0 9 * * *" (Europe/Berlin)', to: 'cron "0 10 * * *" (Europe/Berlin)' } },
      { actor: who, action: "schedule.deactivated", target, details: { schedule: 'cron "0 10 * * *" (Europe/Berlin), inactive' } },
      { actor: who, action: "schedule.activated", target, details: { schedule: 'cron "0 10 * * *" (Europe/Berlin)' } },
      { actor: who, action: "schedule.deleted", target, details: { schedule: 'cron "0 10 * * *" (Europe/Berlin)' } },
    ]);
  });
});

describe("audit log: work pools", () => {
  it("created, paused, limit changed and resumed, through tRPC and /api/v1", async () => {
    const t = await team();
    await t.dev.caller.workPools.create({ workspace: t.slug, name: "gpu" });
    await call("PATCH", "/api/v1/work-pools/gpu", t.key, { paused: true });
    await call("PATCH", "/api/v1/work-pools/gpu", t.key, { concurrencyLimit: 4 });
    await t.dev.caller.workPools.update({ workspace: t.slug, pool: "gpu", paused: false, concurrencyLimit: 2 });
    // Saying the current values again is no change.
    await t.dev.caller.workPools.update({ workspace: t.slug, pool: "gpu", paused: false });

    const who = t.devEmail;
    expect(await t.audit("work_pool")).toEqual([
      { actor: who, action: "work_pool.created", target: "gpu", details: { concurrencyLimit: null, paused: false } },
      { actor: who, action: "work_pool.paused", target: "gpu", details: null },
      { actor: who, action: "work_pool.concurrency_limit_changed", target: "gpu", details: { from: null, to: 4 } },
      { actor: who, action: "work_pool.resumed", target: "gpu", details: null },
      { actor: who, action: "work_pool.concurrency_limit_changed", target: "gpu", details: { from: 4, to: 2 } },
    ]);
  });
});

describe("audit log: automations", () => {
  it("created, disabled, enabled, updated and deleted, through tRPC and /api/v1", async () => {
    const t = await team();
    const input = { name: "Nightly failed", triggerKind: "run_state" as const, states: ["Failed"], actions: [{ kind: "email" as const, roles: ["developer"] }] };
    const { automation } = await t.dev.caller.automations.create({ workspace: t.slug, ...input });
    await t.dev.caller.automations.setEnabled({ workspace: t.slug, automationId: automation.id, enabled: false });
    await t.dev.caller.automations.setEnabled({ workspace: t.slug, automationId: automation.id, enabled: true });
    await t.dev.caller.automations.update({ workspace: t.slug, automationId: automation.id, ...input, name: "Nightly failed or crashed", states: ["Failed", "Crashed"] });
    const viaKey = await call("POST", "/api/v1/automations", t.key, { ...input, name: "From CI" });
    await call("DELETE", `/api/v1/automations/${viaKey.automation.id}`, t.key);
    await t.dev.caller.automations.delete({ workspace: t.slug, automationId: automation.id });

    const who = t.devEmail;
    expect((await t.audit("automation")).map(({ actor, action, target }) => ({ actor, action, target }))).toEqual([
      { actor: who, action: "automation.created", target: "Nightly failed" },
      { actor: who, action: "automation.disabled", target: "Nightly failed" },
      { actor: who, action: "automation.enabled", target: "Nightly failed" },
      { actor: who, action: "automation.updated", target: "Nightly failed or crashed" },
      { actor: who, action: "automation.created", target: "From CI" },
      { actor: who, action: "automation.deleted", target: "From CI" },
      { actor: who, action: "automation.deleted", target: "Nightly failed or crashed" },
    ]);
  });
});

describe("audit log: runs, and the run's state history", () => {
  it("a run started in the app and cancelled: both in the log, and the history says who cancelled", async () => {
    const t = await team();
    const { deployment } = await call("PUT", "/api/v1/deployments", t.key, { flowName: "etl", name: "manual", kind: "command", command: "true" });
    const { run } = await t.dev.caller.runs.create({ workspace: t.slug, deploymentId: deployment.id, parameters: {} });
    await t.dev.caller.runs.cancel({ workspace: t.slug, runId: run.id });

    const who = t.devEmail;
    expect(await t.audit("flow_run")).toEqual([
      { actor: who, action: "run.created", target: run.name, details: { deployment: "manual" } },
      { actor: who, action: "run.cancelled", target: run.name, details: { from: "Scheduled", to: "Cancelled" } },
    ]);
    const history = await t.owner.caller.runs.history({ workspace: t.slug, runId: run.id });
    expect(history.map((s) => [s.name, s.actorLabel])).toEqual([
      ["Scheduled", who],
      ["Cancelled", who],
    ]);
  });

  it("a run started, cancelled and retried with a key: the key's creator is named in the log and the history; agents' states name nobody", async () => {
    const t = await team();
    const { key: agentKey } = await t.owner.caller.apiKeys.create({ workspace: t.slug, name: "agent", role: "agent" });
    const agent = await call("POST", "/api/v1/agents", agentKey, { name: "a1", hostname: "h", version: "0.1.0" });
    const { deployment } = await call("PUT", "/api/v1/deployments", t.key, { flowName: "etl", name: "api", kind: "command", command: "true" });
    const { run } = await call("POST", `/api/v1/deployments/${deployment.id}/runs`, t.key, {});
    const { runs } = await call("POST", "/api/v1/work-pools/default/claim", agentKey, { agentId: agent.id, slots: 1, waitSeconds: 0 });
    const claimed = runs[0];
    const report = (type: string) =>
      call("POST", "/api/v1/flow-runs/states", agentKey, {
        reports: [{ runId: run.id, attempt: claimed.attempt, leaseToken: claimed.leaseToken, transitionId: randomUUID(), state: { type } }],
      });
    await report("RUNNING");
    await call("POST", `/api/v1/flow-runs/${run.id}/cancel`, t.key);
    await report("CANCELLED");
    await call("POST", `/api/v1/flow-runs/${run.id}/retry`, t.key);

    const who = t.devEmail;
    expect(await t.audit("flow_run")).toEqual([
      { actor: who, action: "run.created", target: run.name, details: { deployment: "api" } },
      { actor: who, action: "run.cancelled", target: run.name, details: { from: "Running", to: "Cancelling" } },
      { actor: who, action: "run.retried", target: run.name, details: { from: "Cancelled", to: "Scheduled" } },
    ]);
    const history = await t.dev.caller.runs.history({ workspace: t.slug, runId: run.id });
    expect(history.map((s) => [s.name, s.actorLabel])).toEqual([
      ["Scheduled", who],
      ["Pending", null],
      ["Running", null],
      ["Cancelling", who],
      ["Cancelled", null],
      ["Scheduled", who],
    ]);
  });

  it("runs the scheduler creates are not a person's: no audit events, no name in their history", async () => {
    const t = await team();
    await call("PUT", "/api/v1/deployments", t.key, { flowName: "etl", name: "cron", kind: "command", command: "true", schedules: [{ kind: "interval", intervalSeconds: 60 }] });
    const filled = await fillSchedules(db, { now: new Date() });
    expect(filled.runsCreated).toBeGreaterThan(0);
    expect(await t.audit("flow_run")).toEqual([]);
    const { runs } = await t.owner.caller.runs.list({ workspace: t.slug, limit: 1 });
    const history = await t.owner.caller.runs.history({ workspace: t.slug, runId: runs[0].id });
    expect(history.map((s) => s.actorLabel)).toEqual([null]);
  });
});

describe("audit log: tenancy", () => {
  it("workspace B's audit log never shows workspace A's events", async () => {
    const a = await team();
    const b = await team();
    const { deployment } = await call("PUT", "/api/v1/deployments", a.key, { flowName: "secret-flow", name: "a-only", kind: "command", command: "true" });
    await a.dev.caller.runs.create({ workspace: a.slug, deploymentId: deployment.id, parameters: {} });
    await a.dev.caller.workPools.create({ workspace: a.slug, name: "a-pool" });
    expect((await a.audit("deployment")).length).toBeGreaterThan(0);

    const seen = [];
    let cursor: number | undefined;
    do {
      const page = await b.owner.caller.audit.list({ workspace: b.slug, limit: 2, cursor });
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const text = JSON.stringify(seen);
    expect(text).not.toContain("secret-flow");
    expect(text).not.toContain("a-pool");
    expect(text).not.toContain(a.devEmail);
    // B's own events are all there, page by page.
    expect(seen.map((e) => e.action)).toContain("api_key.created");
    // A's owner cannot read B's log by asking with B's slug.
    await expect(a.owner.caller.audit.list({ workspace: b.slug })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
