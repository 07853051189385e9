import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SERVICE_LOCKS } from "@/server/services/background-services";
import { waitFor } from "./helpers/app-process";
import { startCliEnvironment } from "./helpers/cli";

/*
 * Automations whose actions act, through the real app (its notifier), a real agent and real
 * command runs: "when ingest/daily completes, run train/daily with the same date".
 */

const env = await startCliEnvironment();
const slug = env.workspace.ws.slug;
const owner = env.workspace.owner;
const agent = env.startAgent(["--limit", "4"]);
afterAll(() => void agent.child.kill("SIGKILL"));

type Run = {
  id: string;
  name: string;
  parameters: Record<string, unknown>;
  state: { type: string; name: string; message: string | null; timestamp: string };
  startTime: string | null;
  endTime: string | null;
  origin: { kind: string; automationName?: string; event?: string; runId?: string | null; depth?: number } | null;
  triggeredByRunId: string | null;
  idempotencyKey: string | null;
};

const getRun = async (id: string) => (await env.api("GET", `/flow-runs/${id}`)) as Run;
const runsOf = async (deploymentId: string) => ((await env.api("GET", `/flow-runs?deployment=${deploymentId}&limit=50`)) as { runs: Run[] }).runs;
const finished = (r: Run) => ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"].includes(r.state.type);

/** A command deployment with a parameter schema, through the REST upsert `baton deploy` uses. */
async function deploy(name: string, command: string, parameterSchema?: Record<string, unknown>, parameters: Record<string, unknown> = {}) {
  const res = (await env.api("PUT", "/deployments", { flowName: name.split("/")[0], name: name.split("/")[1], kind: "command", command, parameterSchema, parameters })) as {
    deployment: { id: string };
  };
  return res.deployment.id;
}

const dateSchema = { type: "object", properties: { date: { type: "string", format: "date" }, epochs: { type: "integer" } }, required: ["date"] };

describe("automation actions that act", () => {
  it("when ingest/daily completes, train/daily runs once with the same date, and the chain reads both ways", { timeout: 90_000 }, async () => {
    const ingest = await deploy("ingest/daily", 'echo "ingesting $BATON_PARAM_DATE"', dateSchema);
    const train = await deploy("train/daily", 'echo "training on $BATON_PARAM_DATE for $BATON_PARAM_EPOCHS epochs"', dateSchema, { epochs: 2 });
    const { automation } = await owner.caller.automations.create({
      workspace: slug,
      name: "Train after ingest",
      triggerKind: "run_state",
      states: ["Completed"],
      deploymentIds: [ingest],
      actions: [{ kind: "run_deployment", deploymentId: train, parameters: { date: "{{ run.parameters.date }}" } }],
    });
    expect(automation.destinations[0]).toMatchObject({ kind: "run_deployment", target: "run train/daily" });

    const a = ((await env.api("POST", `/deployments/${ingest}/runs`, { parameters: { date: "2026-12-01" } })) as { run: Run }).run;
    const b = await waitFor(async () => (await runsOf(train)).find(finished), { timeoutMs: 45_000 });
    const aDone = await getRun(a.id);
    expect(aDone.state.type).toBe("COMPLETED");
    expect(b.state.type).toBe("COMPLETED");
    expect(b.parameters).toEqual({ date: "2026-12-01", epochs: 2 });
    expect(b.origin).toMatchObject({ kind: "automation", automationName: "Train after ingest", event: "Completed", runId: a.id, depth: 1 });
    expect(b.triggeredByRunId).toBe(a.id);
    const latencyMs = Date.parse(b.startTime!) - Date.parse(aDone.endTime!);
    console.info(`[automations] train/daily started ${latencyMs} ms after ingest/daily completed`);
    expect(latencyMs).toBeLessThan(10_000);

    const logs = (await env.api("GET", `/flow-runs/${b.id}/logs`)) as { logs: { message: string }[] };
    expect(logs.logs.map((l) => l.message)).toContain("training on 2026-12-01 for 2 epochs");
    // Once: a settled notifier made exactly one run.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await runsOf(train)).toHaveLength(1);

    // The automation's page lists what the action did, with the run.
    const page = await owner.caller.automations.deliveries({ workspace: slug, automationId: automation.id });
    expect(page.items[0].attempts[0]).toMatchObject({ outcome: "sent", runId: b.id });
    expect(page.items[0].attempts[0].detail).toBe(`Started run ${b.name} of train/daily`);
    // And the triggering run's id finds what it started.
    const started = (await env.db.$client.query(`select id from flow_runs where triggered_by_run_id = $1`, [a.id])).rows;
    expect(started).toEqual([{ id: b.id }]);
    await owner.caller.automations.delete({ workspace: slug, automationId: automation.id });
  });

  it("an app killed with kill -9 between A's completion and B's creation still starts B exactly once", { timeout: 120_000 }, async () => {
    const ingest = await deploy("ingest/hourly", "echo ok", dateSchema);
    const train = await deploy("train/hourly", 'echo "training on $BATON_PARAM_DATE"', dateSchema);
    const { automation } = await owner.caller.automations.create({
      workspace: slug,
      name: "Train after hourly ingest",
      triggerKind: "run_state",
      states: ["Completed"],
      deploymentIds: [ingest],
      actions: [{ kind: "run_deployment", deploymentId: train, parameters: { date: "{{ run.parameters.date }}" } }],
    });
    // Hold the notifier's leader lock from here, so A's queued action cannot be performed before the
    // crash: stop the app (its notifier holds the lock), take the lock, start the app again.
    await env.crashApp();
    const holder = await env.db.$client.connect();
    try {
      expect((await holder.query<{ ok: boolean }>("select pg_try_advisory_lock($1) as ok", [SERVICE_LOCKS.notifier])).rows[0].ok).toBe(true);
      await env.restartApp();
      const a = ((await env.api("POST", `/deployments/${ingest}/runs`, { parameters: { date: "2026-11-30" } })) as { run: Run }).run;
      await waitFor(async () => (finished(await getRun(a.id)) ? true : null), { timeoutMs: 45_000 });
      // A's completion committed its queued action in the same transaction: it waits, nothing is started.
      const queued = await env.db.$client.query(`select status from alert_deliveries where automation_id = $1`, [automation.id]);
      expect(queued.rows).toEqual([{ status: "pending" }]);
      expect(await runsOf(train)).toHaveLength(0);
      await env.crashApp();
    } finally {
      await holder.query("select pg_advisory_unlock_all()");
      holder.release();
    }
    await env.restartApp();
    const b = await waitFor(async () => (await runsOf(train)).find(finished), { timeoutMs: 45_000 });
    expect(b.state.type).toBe("COMPLETED");
    expect(b.parameters).toEqual({ date: "2026-11-30" });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await runsOf(train)).toHaveLength(1);
    await owner.caller.automations.delete({ workspace: slug, automationId: automation.id });
  });

  it("a template that names nothing in the event fails the delivery with the reason, and starts nothing", { timeout: 60_000 }, async () => {
    const ingest = await deploy("ingest/weekly", "echo ok", { type: "object", properties: { date: { type: "string" } } });
    const train = await deploy("train/weekly", "echo train", dateSchema);
    const { automation } = await owner.caller.automations.create({
      workspace: slug,
      name: "Train weekly",
      triggerKind: "run_state",
      states: ["Completed"],
      deploymentIds: [ingest],
      actions: [{ kind: "run_deployment", deploymentId: train, parameters: { date: "{{ run.parameters.date }}" } }],
    });
    await env.api("POST", `/deployments/${ingest}/runs`, { parameters: {} });
    const failed = await waitFor(async () => {
      const page = await owner.caller.automations.deliveries({ workspace: slug, automationId: automation.id });
      return page.items.find((d) => d.status === "failed") ?? null;
    }, { timeoutMs: 45_000 });
    expect(failed!.lastError).toBe("The parameter template was refused: {{ run.parameters.date }} (in date) has no value in what triggered the run.");
    expect(await runsOf(train)).toHaveLength(0);

    // A value the target's schema refuses fails it the same way, with the schema's words.
    await env.api("POST", `/deployments/${ingest}/runs`, { parameters: { date: "yesterday" } });
    const refused = await waitFor(async () => {
      const page = await owner.caller.automations.deliveries({ workspace: slug, automationId: automation.id });
      return page.items.filter((d) => d.status === "failed").length === 2 ? page.items[0] : null;
    }, { timeoutMs: 45_000 });
    expect(refused!.lastError).toMatch(/do not match the deployment's schema: date must match format "date"/);
    expect(await runsOf(train)).toHaveLength(0);
    await owner.caller.automations.delete({ workspace: slug, automationId: automation.id });
  });

  it("a loop (A starts B starts A) stops after the bound, with the reason on the automation", { timeout: 120_000 }, async () => {
    const pingId = await deploy("loop/ping", "echo ping");
    const pongId = await deploy("loop/pong", "echo pong");
    const mk = (name: string, from: string, to: string) =>
      owner.caller.automations.create({ workspace: slug, name, triggerKind: "run_state", states: ["Completed"], deploymentIds: [from], actions: [{ kind: "run_deployment", deploymentId: to, parameters: {} }] });
    // The person's ping is link 0; pong→ping makes the even links, so the 11th (refused) is ping→pong's.
    const { automation: forth } = await mk("ping → pong", pingId, pongId);
    await mk("pong → ping", pongId, pingId);
    await env.api("POST", `/deployments/${pingId}/runs`, {});
    const stopped = await waitFor(async () => {
      const page = await owner.caller.automations.deliveries({ workspace: slug, automationId: forth.id });
      return page.items.find((d) => d.status === "failed") ?? null;
    }, { timeoutMs: 90_000 });
    expect(stopped!.lastError).toMatch(/already the 10th run of a chain of automation-started runs/);
    // The first ping a person started, then 10 automation-started runs: 5 pongs and 5 pings.
    expect((await runsOf(pingId)).length + (await runsOf(pongId)).length).toBe(11);
    const depths = [...(await runsOf(pingId)), ...(await runsOf(pongId))].map((r) => r.origin?.depth ?? 0).sort((x, y) => x - y);
    expect(depths).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("pauses deployments and the work pool when a run fails, in the audit log as the automation", { timeout: 60_000 }, async () => {
    const watched = await deploy("reports/daily", "exit 1");
    const other = await deploy("reports/export", "echo export");
    const { automation } = await owner.caller.automations.create({
      workspace: slug,
      name: "Stop exports when reports fail",
      triggerKind: "run_state",
      states: ["Failed"],
      deploymentIds: [watched],
      actions: [
        { kind: "pause_deployment", deploymentId: other },
        { kind: "pause_deployment", deploymentId: null },
        { kind: "pause_work_pool", workPoolId: null },
      ],
    });
    expect(automation.destinations.map((d) => d.target)).toEqual(["pause reports/export", "pause the run's deployment", "pause the run's work pool"]);
    await env.api("POST", `/deployments/${watched}/runs`, {});
    await waitFor(async () => {
      const d = (await env.api("GET", `/deployments/${other}`)) as { paused: boolean };
      return d.paused || null;
    }, { timeoutMs: 30_000 });
    const own = (await env.api("GET", `/deployments/${watched}`)) as { paused: boolean };
    expect(own.paused).toBe(true);
    const pool = await waitFor(async () => {
      const pools = (await env.api("GET", `/work-pools`)) as { workPools: { name: string; paused: boolean }[] };
      return pools.workPools.find((p) => p.name === "default" && p.paused) ?? null;
    }, { timeoutMs: 30_000 });
    expect(pool!.paused).toBe(true);
    const audit = await env.db.$client.query<{ action: string; actor_label: string }>(
      `select action, actor_label from audit_events where workspace_id = $1 and action in ('deployment.paused', 'work_pool.paused') order by id`,
      [env.workspace.ws.id],
    );
    expect(audit.rows.map((r) => r.actor_label)).toEqual(["automation:Stop exports when reports fail", "automation:Stop exports when reports fail", "automation:Stop exports when reports fail"]);
    await env.api("PATCH", `/work-pools/default`, { paused: false });
    await owner.caller.automations.delete({ workspace: slug, automationId: automation.id });
  });

  it("cancels the deployment's other active runs when one fails, and resumes a paused deployment when a run completes", { timeout: 90_000 }, async () => {
    const shard = await deploy("shards/process", 'if [ "$BATON_PARAM_MODE" = fail ]; then exit 1; fi; sleep 60', { type: "object", properties: { mode: { type: "string" } } });
    const report = await deploy("shards/report", "echo report");
    const { automation } = await owner.caller.automations.create({
      workspace: slug,
      name: "One shard fails: stop the rest",
      triggerKind: "run_state",
      states: ["Failed"],
      deploymentIds: [shard],
      actions: [{ kind: "cancel_runs", which: "deployment_others" }],
    });
    const { automation: resumer } = await owner.caller.automations.create({
      workspace: slug,
      name: "Resume shards after the report",
      triggerKind: "run_state",
      states: ["Completed"],
      deploymentIds: [report],
      actions: [{ kind: "resume_deployment", deploymentId: shard }],
    });
    const slow = ((await env.api("POST", `/deployments/${shard}/runs`, { parameters: { mode: "slow" } })) as { run: Run }).run;
    await waitFor(async () => ((await getRun(slow.id)).state.type === "RUNNING" ? true : null), { timeoutMs: 30_000 });
    await env.api("POST", `/deployments/${shard}/runs`, { parameters: { mode: "fail" } });
    const cancelled = await waitFor(async () => {
      const r = await getRun(slow.id);
      return r.state.type === "CANCELLED" ? r : null;
    }, { timeoutMs: 45_000 });
    expect(cancelled!.state.type).toBe("CANCELLED");
    const page = await owner.caller.automations.deliveries({ workspace: slug, automationId: automation.id });
    expect(page.items[0].attempts[0].detail).toBe("Cancelled 1 other active run of shards/process");

    await env.api("POST", `/deployments/${shard}/pause`, {});
    expect(((await env.api("GET", `/deployments/${shard}`)) as { paused: boolean }).paused).toBe(true);
    await env.api("POST", `/deployments/${report}/runs`, {});
    await waitFor(async () => (((await env.api("GET", `/deployments/${shard}`)) as { paused: boolean }).paused ? null : true), { timeoutMs: 30_000 });
    await owner.caller.automations.delete({ workspace: slug, automationId: automation.id });
    await owner.caller.automations.delete({ workspace: slug, automationId: resumer.id });
  });
});

describe("triggers: in baton.yaml", () => {
  it("baton deploy makes one automation per trigger, keeps it on an unchanged redeploy, updates and removes it with the file", { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baton-triggers-"));
    const yaml = (trigger: string) => `deployments:
  - name: daily
    flow: features
    command: echo "features for $BATON_PARAM_DATE"
    parameterSchema: { type: object, properties: { date: { type: string } }, required: [date] }
  - name: daily
    flow: retrain
    command: echo "retrain on $BATON_PARAM_DATE"
    parameterSchema: { type: object, properties: { date: { type: string } }, required: [date] }
${trigger}`;
    const write = (trigger: string) => fs.writeFileSync(path.join(dir, "baton.yaml"), yaml(trigger));
    write(`    triggers:
      - after: features/daily
        parameters:
          date: "{{ run.parameters.date }}"
`);
    const first = await env.cli(["deploy"], { cwd: dir });
    expect(first.stderr).toBe("");
    expect(first.stdout).toContain("  Trigger: runs after features/daily Completed");
    const managed = async () => (await owner.caller.automations.list({ workspace: slug })).filter((a) => a.name.startsWith("Run retrain/daily"));
    const [made] = await managed();
    expect(made).toMatchObject({ name: "Run retrain/daily after features/daily Completed", triggerKind: "run_state", states: ["Completed"], enabled: true });
    expect(made.destinations[0]).toMatchObject({ kind: "run_deployment", target: "run retrain/daily" });
    const retrainId = ((await env.api("GET", "/deployments")) as { deployments: { id: string; flowName: string }[] }).deployments.find((d) => d.flowName === "retrain")!.id;
    expect(made.managedByDeploymentId).toBe(retrainId);

    // It acts: a features run's completion starts retrain with its date.
    const features = ((await env.api("GET", "/deployments")) as { deployments: { id: string; flowName: string }[] }).deployments.find((d) => d.flowName === "features")!;
    const retrain = ((await env.api("GET", "/deployments")) as { deployments: { id: string; flowName: string }[] }).deployments.find((d) => d.flowName === "retrain")!;
    await env.api("POST", `/deployments/${features.id}/runs`, { parameters: { date: "2026-12-02" } });
    const child = await waitFor(async () => (await runsOf(retrain.id)).find(finished), { timeoutMs: 45_000 });
    expect(child!.parameters).toEqual({ date: "2026-12-02" });

    const again = await env.cli(["deploy"], { cwd: dir });
    expect(again.stdout).toMatch(/Unchanged: retrain\/daily/);
    expect((await managed())[0].id).toBe(made.id);

    write(`    triggers:
      - after: features/daily
        on: [Completed, Failed]
        parameters:
          date: "{{ run.parameters.date }}"
`);
    const changed = await env.cli(["deploy"], { cwd: dir });
    expect(changed.stdout).toMatch(/Updated \(triggers\): retrain\/daily/);
    expect((await managed()).map((a) => a.name)).toEqual(["Run retrain/daily after features/daily Completed/Failed"]);

    // A refused trigger changes nothing, and says what to do.
    write(`    triggers:
      - after: nope/missing
`);
    const bad = await env.cli(["deploy"], { cwd: dir });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("Trigger 1 of retrain/daily: deployment nope/missing does not exist in this workspace. Deploy it first (in a baton.yaml, list it before retrain/daily).");
    expect((await managed()).map((a) => a.name)).toEqual(["Run retrain/daily after features/daily Completed/Failed"]);

    write("");
    const removed = await env.cli(["deploy"], { cwd: dir });
    expect(removed.stdout).toMatch(/Updated \(triggers\): retrain\/daily/);
    expect(await managed()).toEqual([]);
  });
});
