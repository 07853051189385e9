import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { artifacts, deployments, flows, logs, taskRuns, taskRunStates, workPools } from "../server/db/schema";
import { uuidv7 } from "../server/db/uuidv7";
import { deleteExpiredData } from "../server/services/retention";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers } from "./helpers/fixtures";

const { db } = await createTestDatabase();

const DAY = 86_400_000;
const now = new Date("2026-03-01T12:00:00Z");
const daysAgo = (n: number) => new Date(now.getTime() - n * DAY);

async function setup() {
  const { ws } = await createWorkspaceWithMembers(db);
  const [pool] = await db.select().from(workPools).where(and(eq(workPools.workspaceId, ws.id), eq(workPools.name, "default")));
  const [flow] = await db.insert(flows).values({ workspaceId: ws.id, name: `flow-${randomBytes(4).toString("hex")}` }).returning();
  const [deployment] = await db.insert(deployments).values({ workspaceId: ws.id, flowId: flow.id, name: "d", kind: "command", command: "true", workPoolId: pool.id }).returning();
  return { ws, pool, flow, deployment };
}

/** A run whose current state was reached `age` days before `now`, with history, a task run, an artifact and log lines. */
async function runAged(s: Awaited<ReturnType<typeof setup>>, type: string, age: number, logAges: number[] = [age]) {
  const id = uuidv7(daysAgo(age + 1).getTime());
  await db.$client.query(
    `insert into flow_runs (id, workspace_id, flow_id, deployment_id, work_pool_id, name, state_type, state_name, state_timestamp, scheduled_time, attempt)
     values ($1, $2, $3, $4, $5, 'aged', $6, initcap($6), $7, $7, 1)`,
    [id, s.ws.id, s.flow.id, s.deployment.id, s.pool.id, type, daysAgo(age)],
  );
  await db.$client.query("insert into flow_run_states (workspace_id, flow_run_id, type, name, attempt, timestamp) values ($1, $2, $3, initcap($3), 1, $4)", [s.ws.id, id, type, daysAgo(age)]);
  const [task] = await db
    .insert(taskRuns)
    .values({ id: uuidv7(), workspaceId: s.ws.id, flowRunId: id, flowRunAttempt: 1, taskKey: "t", dynamicKey: "0", name: "t", stateType: "COMPLETED", stateName: "Completed" })
    .returning();
  await db.insert(taskRunStates).values({ workspaceId: s.ws.id, taskRunId: task.id, type: "COMPLETED", name: "Completed" });
  await db.insert(artifacts).values({ id: uuidv7(), workspaceId: s.ws.id, flowRunId: id, type: "markdown", data: "# hi" });
  if (logAges.length) {
    await db.insert(logs).values(logAges.map((a, seq) => ({ workspaceId: s.ws.id, flowRunId: id, attempt: 1, seq, level: "info" as const, timestamp: daysAgo(a), message: `line ${seq}` })));
  }
  return id;
}

async function count(table: string, runIds: string[]) {
  const column = table === "task_run_states" ? "task_run_id in (select id from task_runs where flow_run_id = any($1))" : table === "flow_runs" ? "id = any($1)" : "flow_run_id = any($1)";
  const { rows } = await db.$client.query<{ n: number }>(`select count(*)::int as n from ${table} where ${column}`, [runIds]);
  return rows[0].n;
}

describe("retention", () => {
  it("deletes finished runs and log lines older than the retention period, in batches; keeps recent and unfinished runs", async () => {
    const s = await setup();
    const oldFinished = await Promise.all((["COMPLETED", "FAILED", "CRASHED", "CANCELLED"] as const).flatMap((t) => [runAged(s, t, 40), runAged(s, t, 31)]));
    const recentFinished = await Promise.all([runAged(s, "COMPLETED", 29), runAged(s, "FAILED", 1)]);
    // Unfinished runs stay however old; their old log lines go, their recent ones stay.
    const oldRunning = await runAged(s, "RUNNING", 45, [45, 44, 2]);
    const oldScheduled = await runAged(s, "SCHEDULED", 60, []);
    const oldCancelling = await runAged(s, "CANCELLING", 35, []);

    // Alert deliveries: an old one that was sent goes (with its attempts); an old pending one stays.
    const { rows: alertRows } = await db.$client.query<{ sent: string; pending: string }>(
      `with a as (insert into automations (workspace_id, name, trigger_kind, trigger_states) values ($1, 'old alerts', 'run_state', '{Failed}') returning id),
            d as (insert into alert_destinations (workspace_id, automation_id, kind, target, recipients)
                  select $1, id, 'email', 'owners', '{"userIds":[],"roles":["owner"],"addresses":[]}' from a returning id, automation_id),
            x as (insert into alert_deliveries (workspace_id, automation_id, destination_id, dedupe_key, event, status, created_at)
                  select $1, automation_id, id, k, '{}', st, $2::timestamptz - interval '40 days'
                    from d, (values ('sent-one', 'sent'), ('pending-one', 'pending')) v(k, st) returning id, status)
       select (select id from x where status = 'sent') as sent, (select id from x where status = 'pending') as pending`,
      [s.ws.id, now],
    );
    await db.$client.query(`insert into alert_attempts (workspace_id, delivery_id, outcome, duration_ms) values ($1, $2, 'sent', 12)`, [s.ws.id, alertRows[0].sent]);

    const result = await deleteExpiredData(db, { now, retentionDays: 30, batchSize: 3 });
    expect(result).toEqual({ runs: oldFinished.length, logs: oldFinished.length + 2, alerts: 1, webhookRequests: 0, done: true });
    const { rows: leftAlerts } = await db.$client.query<{ id: string }>("select id from alert_deliveries where workspace_id = $1", [s.ws.id]);
    expect(leftAlerts.map((r) => r.id)).toEqual([alertRows[0].pending]);
    const { rows: leftAttempts } = await db.$client.query("select 1 from alert_attempts where workspace_id = $1", [s.ws.id]);
    expect(leftAttempts).toHaveLength(0);

    for (const table of ["flow_runs", "flow_run_states", "task_runs", "task_run_states", "artifacts", "logs"]) {
      expect(await count(table, oldFinished), table).toBe(0);
      expect(await count(table, recentFinished), table).toBe(2);
    }
    expect(await count("flow_runs", [oldRunning, oldScheduled, oldCancelling])).toBe(3);
    expect(await count("task_runs", [oldRunning, oldScheduled, oldCancelling])).toBe(3);
    const { rows } = await db.$client.query<{ message: string }>("select message from logs where flow_run_id = $1", [oldRunning]);
    expect(rows.map((r) => r.message)).toEqual(["line 2"]);

    // Nothing left to do: a second pass deletes nothing.
    expect(await deleteExpiredData(db, { now, retentionDays: 30, batchSize: 3 })).toEqual({ runs: 0, logs: 0, alerts: 0, webhookRequests: 0, done: true });
  });

  it("stops when its time budget is spent, and the next pass continues", async () => {
    const s = await setup();
    await Promise.all(Array.from({ length: 5 }, () => runAged(s, "COMPLETED", 90)));
    const first = await deleteExpiredData(db, { now, retentionDays: 30, batchSize: 2, budgetMs: -1 });
    expect(first.done).toBe(false);
    const second = await deleteExpiredData(db, { now, retentionDays: 30, batchSize: 2 });
    expect(second).toMatchObject({ done: true, runs: 5 });
  });
});
