// Pausing for a person's input through the real /api/v1 app and tRPC callers: an ad-hoc run pauses
// itself with its run token (as pauseForInput does), people answer. The real agent and SDKs are in
// tests/pause-agent.test.ts.
import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { alertDeliveries, auditEvents, flowRunStates } from "../server/db/schema";
import { failExpiredPauses } from "../server/pauses/fail-expired-pauses";
import { waitFor } from "./helpers/app-process";
import { startApiServer } from "./helpers/api-server";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers } from "./helpers/fixtures";
import { claim, deploy, orchestrationWorkspace, report, startRun } from "./helpers/orchestration";

const { db } = await createTestDatabase();
const api = await startApiServer(db);
const w = await createWorkspaceWithMembers(db, ["runner", "viewer"]);
const slug = w.ws.slug;
const keyOf = async (role: "owner" | "runner" | "viewer") => (await w.owner.caller.apiKeys.create({ workspace: slug, name: `${role}-${randomUUID().slice(0, 6)}`, role })).key;
const ownerKey = await keyOf("owner");
const runnerKey = await keyOf("runner");
const viewerKey = await keyOf("viewer");

const SCHEMA = {
  type: "object",
  properties: { approve: { type: "boolean" }, note: { type: "string", maxLength: 20 } },
  required: ["approve"],
  additionalProperties: false,
};

/** An ad-hoc run, paused by its own run token: what the SDK's pauseForInput does. */
async function pausedRun(opts: { timeoutSeconds?: number; message?: string } = {}) {
  const created = await api.call("POST", "/api/v1/flow-runs", { key: ownerKey, body: { flowName: "approve-model" } });
  expect(created.status).toBe(201);
  const { run, runToken } = created.json;
  const paused = await api.call("POST", `/api/v1/flow-runs/${run.id}/pause`, {
    key: runToken,
    body: { transitionId: randomUUID(), schema: SCHEMA, message: opts.message ?? "Look at the metrics: ship it?", timeoutSeconds: opts.timeoutSeconds ?? 3600 },
  });
  expect(paused.status, JSON.stringify(paused.json)).toBe(200);
  return { runId: run.id as string, runToken: runToken as string, pause: paused.json };
}
const stateOf = async (runId: string) => (await api.call("GET", `/api/v1/flow-runs/${runId}`, { key: ownerKey })).json.state;

describe("pausing a run for input", () => {
  it("pauses a running run: Paused with the message, the pause readable by a viewer, the lease kept by the run's heartbeat", async () => {
    const { runId, runToken, pause } = await pausedRun();
    expect(pause).toMatchObject({ status: "waiting", message: "Look at the metrics: ship it?", schema: SCHEMA, input: null });
    expect(await stateOf(runId)).toMatchObject({ type: "PAUSED", name: "Paused", message: "Waiting for input: Look at the metrics: ship it?" });
    const seen = await api.call("GET", `/api/v1/flow-runs/${runId}/pause`, { key: viewerKey });
    expect(seen.json).toMatchObject({ id: pause.id, status: "waiting" });
    expect(await w.members.viewer.caller.runs.pause({ workspace: slug, runId })).toMatchObject({ id: pause.id, message: "Look at the metrics: ship it?" });
    const beat = await api.call("POST", `/api/v1/flow-runs/${runId}/heartbeat`, { key: runToken });
    expect(beat.json).toMatchObject({ cancel: false, lost: false });
    // Only the run's own process pauses it.
    const byKey = await api.call("POST", `/api/v1/flow-runs/${runId}/pause`, { key: ownerKey, body: { transitionId: randomUUID(), schema: SCHEMA, timeoutSeconds: 60 } });
    expect(byKey.status).toBe(403);
  });

  it("a paused run of an agent keeps its slot and its lease: the deployment's limit holds the next run back, the agent's heartbeat renews it", async () => {
    const o = await orchestrationWorkspace(db, api, "pause-agent");
    const d = await deploy(api, o.key, { concurrencyLimit: 1 });
    await startRun(api, o.key, d.id);
    const [first] = await claim(api, o.agentKey, o.agentId);
    expect((await report(api, o.agentKey, first, "RUNNING")).status).toBe("ACCEPT");
    const paused = await api.call("POST", `/api/v1/flow-runs/${first.id}/pause`, { key: first.runToken, body: { transitionId: randomUUID(), schema: SCHEMA, timeoutSeconds: 3600 } });
    expect(paused.status, JSON.stringify(paused.json)).toBe(200);
    await startRun(api, o.key, d.id);
    expect(await claim(api, o.agentKey, o.agentId)).toEqual([]);
    const beat = await api.call("POST", `/api/v1/agents/${o.agentId}/heartbeat`, { key: o.agentKey, body: { runs: [{ runId: first.id, attempt: first.attempt, leaseToken: first.leaseToken }] } });
    expect(beat.json).toMatchObject({ cancel: [], lost: [] });
    expect(Date.parse(beat.json.leaseExpiresAt)).toBeGreaterThan(Date.now());
  });

  it("a retried pause call (same transitionId) answers the same pause", async () => {
    const created = (await api.call("POST", "/api/v1/flow-runs", { key: ownerKey, body: { flowName: "approve-model" } })).json;
    const body = { transitionId: randomUUID(), schema: SCHEMA, timeoutSeconds: 60 };
    const first = await api.call("POST", `/api/v1/flow-runs/${created.run.id}/pause`, { key: created.runToken, body });
    const again = await api.call("POST", `/api/v1/flow-runs/${created.run.id}/pause`, { key: created.runToken, body });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);
  });

  it("a viewer cannot answer (403 over REST, FORBIDDEN over tRPC), and the run stays paused", async () => {
    const { runId } = await pausedRun();
    const rest = await api.call("POST", `/api/v1/flow-runs/${runId}/resume`, { key: viewerKey, body: { input: { approve: true } } });
    expect(rest.status).toBe(403);
    await expect(w.members.viewer.caller.runs.resume({ workspace: slug, runId, input: { approve: true } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await stateOf(runId)).toMatchObject({ type: "PAUSED" });
  });

  it("input that does not match the schema is refused with field errors, and the run stays paused", async () => {
    const { runId } = await pausedRun();
    const res = await api.call("POST", `/api/v1/flow-runs/${runId}/resume`, { key: runnerKey, body: { input: { note: "x".repeat(30) } } });
    expect(res.status).toBe(422);
    expect(res.json.error.message).toMatch(/^The input does not match what the run asks for: /);
    expect(res.json.error.details.fieldErrors).toEqual({ approve: ["is required"], note: ["must NOT have more than 20 characters"] });
    const trpc = await w.members.runner.caller.runs.resume({ workspace: slug, runId, input: { approve: "yes" } }).catch((e) => e);
    expect(trpc.code).toBe("UNPROCESSABLE_CONTENT");
    expect(await stateOf(runId)).toMatchObject({ type: "PAUSED" });
  });

  it("a runner's answer resumes the run with the input: the SDK reads it, the history and the audit log name the runner, a second answer is refused", async () => {
    const { runId, runToken, pause } = await pausedRun();
    const answered = await w.members.runner.caller.runs.resume({ workspace: slug, runId, input: { approve: true, note: "looks good" } });
    expect(answered).toMatchObject({ status: "answered", input: { approve: true, note: "looks good" }, submittedBy: w.members.runner.user.email });
    expect(await stateOf(runId)).toMatchObject({ type: "RUNNING", name: "Running", message: `Resumed by ${w.members.runner.user.email}` });
    const read = await api.call("GET", `/api/v1/flow-runs/${runId}/pauses/${pause.id}`, { key: runToken });
    expect(read.json).toMatchObject({ status: "answered", input: { approve: true, note: "looks good" } });
    expect(Date.parse(read.json.submittedAt)).toBeGreaterThan(Date.parse(pause.timeoutAt) - 3600_000);

    const history = await db.select().from(flowRunStates).where(eq(flowRunStates.flowRunId, runId)).orderBy(asc(flowRunStates.id));
    expect(history.map((h) => [h.type, h.actorLabel])).toEqual([
      ["RUNNING", expect.any(String)],
      ["PAUSED", null],
      ["RUNNING", w.members.runner.user.email],
    ]);
    const [audit] = await db.select().from(auditEvents).where(and(eq(auditEvents.workspaceId, w.ws.id), eq(auditEvents.action, "run.resumed"), eq(auditEvents.targetId, runId)));
    expect(audit).toMatchObject({ actorLabel: w.members.runner.user.email, details: { from: "Paused", to: "Running" } });

    const again = await api.call("POST", `/api/v1/flow-runs/${runId}/resume`, { key: runnerKey, body: { input: { approve: false } } });
    expect(again.status).toBe(409);
    expect(again.json.error.message).toMatch(/is not waiting for input \(it is Running\)/);
  });

  it("an API key's answer over REST: the pause names the key's person, as the audit log does", async () => {
    const { runId } = await pausedRun();
    const res = await api.call("POST", `/api/v1/flow-runs/${runId}/resume`, { key: runnerKey, body: { input: { approve: false } } });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json).toMatchObject({ status: "answered", input: { approve: false } });
    expect(res.json.submittedBy).toBe(w.owner.user.email);
  });

  it("a pause nobody answers in time fails the run (TimedOut, never retried): when the SDK reads it, and by the sweep when nobody does", async () => {
    const read = await pausedRun({ timeoutSeconds: 1 });
    const timedOut = await waitFor(
      async () => {
        const r = await api.call("GET", `/api/v1/flow-runs/${read.runId}/pauses/${read.pause.id}`, { key: read.runToken });
        return r.json.status === "timed_out" && r.json;
      },
      { timeoutMs: 10_000, what: "the pause to time out" },
    );
    expect(timedOut.runState).toMatchObject({ type: "FAILED", name: "TimedOut" });
    expect(timedOut.runState.message).toMatch(/^Nobody answered within 1 s \(the pause's timeout\), so the run failed\./);
    const late = await api.call("POST", `/api/v1/flow-runs/${read.runId}/resume`, { key: runnerKey, body: { input: { approve: true } } });
    expect(late.status).toBe(409);

    const unread = await pausedRun({ timeoutSeconds: 1 });
    await waitFor(async () => (await failExpiredPauses(db)) > 0 || (await stateOf(unread.runId)).type === "FAILED", { timeoutMs: 10_000, what: "the sweep" });
    expect(await stateOf(unread.runId)).toMatchObject({ type: "FAILED", name: "TimedOut" });
  });

  it("cancelling a paused run goes through Cancelling: its process is told to stop by its heartbeat", async () => {
    const { runId, runToken } = await pausedRun();
    const cancelled = await w.members.runner.caller.runs.cancel({ workspace: slug, runId });
    expect(cancelled.state).toMatchObject({ type: "CANCELLING" });
    const beat = await api.call("POST", `/api/v1/flow-runs/${runId}/heartbeat`, { key: runToken });
    expect(beat.json).toMatchObject({ cancel: true });
    const resume = await api.call("POST", `/api/v1/flow-runs/${runId}/resume`, { key: runnerKey, body: { input: { approve: true } } });
    expect(resume.status).toBe(409);
  });

  it("only a flow run pauses: a task run's PAUSED state is refused, saying what to do instead", async () => {
    const { run, runToken } = (await api.call("POST", "/api/v1/flow-runs", { key: ownerKey, body: { flowName: "approve-model" } })).json;
    const res = await api.call("POST", "/api/v1/task-runs", { key: runToken, body: { runId: run.id, taskKey: "t:ship", state: { type: "PAUSED" } } });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.json.error)).toContain("A task run cannot be PAUSED; pause the flow run (pauseForInput / pause_flow_run)");
  });

  it("an automation on Paused queues a delivery when a run pauses", async () => {
    const { automation } = await w.owner.caller.automations.create({ workspace: slug, name: "approvals", triggerKind: "run_state", states: ["Paused"], actions: [{ kind: "email", roles: ["owner"] }] });
    const { runId } = await pausedRun({ message: "Approve the release?" });
    const [delivery] = await db.select().from(alertDeliveries).where(eq(alertDeliveries.automationId, automation.id));
    expect(delivery.event).toMatchObject({ trigger: "run_state", event: "Paused", runId, stateType: "PAUSED", message: "Waiting for input: Approve the release?" });
  });
});
