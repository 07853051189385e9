import { z } from "zod";
import { stateTypeSchema } from "../../agent/protocol/states";
import type { Db } from "../db/client";
import { compileSchedule, slotsAfter } from "../scheduling/schedule-slots";
import { loadDeployments } from "./get-deployment";

export const deploymentOverviewSchema = z.object({
  deploymentId: z.uuid(),
  nextRunTime: z.string().nullable(),
  lastRun: z.object({ id: z.uuid(), name: z.string(), stateType: stateTypeSchema, stateName: z.string(), time: z.string() }).nullable(),
});

type Row = { id: string; next_db: Date | null; run_id: string | null; run_name: string | null; state_type: string | null; state_name: string | null; ts: Date | null };

/**
 * Per deployment of the workspace: when it runs next (its earliest waiting run, or its schedules'
 * next time; none while paused) and its latest run that is not still waiting.
 */
export async function deploymentOverview(db: Db, workspaceId: string, now = new Date()) {
  const [list, { rows }] = await Promise.all([
    loadDeployments(db, workspaceId),
    db.$client.query<Row>(
      `select d.id,
              (select min(r.scheduled_time) from flow_runs r where r.deployment_id = d.id and r.state_type = 'SCHEDULED') as next_db,
              lr.id as run_id, lr.name as run_name, lr.state_type, lr.state_name, lr.ts
         from deployments d
         left join lateral (
           select r.id, r.name, r.state_type, r.state_name, r.state_timestamp as ts from flow_runs r
            where r.workspace_id = d.workspace_id and r.deployment_id = d.id and r.state_type <> 'SCHEDULED'
            order by r.id desc limit 1
         ) lr on true
        where d.workspace_id = $1`,
      [workspaceId],
    ),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return list.map((d) => {
    const row = byId.get(d.id);
    let next: Date | null = row?.next_db ?? null;
    if (d.paused) next = null;
    else {
      for (const s of d.schedules.filter((x) => x.active)) {
        try {
          const compiled = compileSchedule({ ...s, anchor: s.anchor ? new Date(s.anchor) : null, createdAt: new Date(d.createdAt) });
          const [slot] = slotsAfter(compiled, now, 1);
          if (slot && (!next || slot < next)) next = slot;
        } catch {
          // A schedule stored before a validation rule existed has no next time; the scheduler logs it.
        }
      }
    }
    return {
      deploymentId: d.id,
      nextRunTime: next?.toISOString() ?? null,
      lastRun:
        row?.run_id && row.ts
          ? { id: row.run_id, name: row.run_name!, stateType: stateTypeSchema.parse(row.state_type), stateName: row.state_name!, time: row.ts.toISOString() }
          : null,
    };
  });
}
