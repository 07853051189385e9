import type { Db } from "../db/client";
import { cancelRun } from "./change-run-state";
import { AppError } from "../errors";

/**
 * The services loop's half of the cancel cascade: children still SCHEDULED, PENDING or RUNNING
 * whose parent is Cancelling, Cancelled or Crashed are cancelled. cancelRun cascades at once; this
 * catches the rest (a parent cancelled while a child was being created, a parent whose process
 * crashed, a cascade cut short). A Failed parent keeps its children: a child it did not wait for
 * may be meant to outlive it. Reads the small partial index of active children.
 */
export async function cascadeCancellations(db: Db, opts: { limit?: number } = {}) {
  const { rows } = await db.$client.query<{ workspace_id: string; id: string; parent_name: string; parent_state: string }>(
    `select c.workspace_id, c.id, p.name as parent_name, p.state_name as parent_state
       from flow_runs c join flow_runs p on p.id = c.parent_run_id
      where c.parent_run_id is not null and c.state_type in ('SCHEDULED', 'PENDING', 'RUNNING', 'PAUSED')
        and p.state_type in ('CANCELLING', 'CANCELLED', 'CRASHED')
      limit $1`,
    [opts.limit ?? 200],
  );
  let cancelled = 0;
  for (const r of rows) {
    const actor = { userId: null, label: `run:${r.parent_name}` };
    try {
      await cancelRun(db, r.workspace_id, actor, r.id, `Cancelled because its parent run ${r.parent_name} is ${r.parent_state}`);
      cancelled++;
    } catch (err) {
      if (!(err instanceof AppError && err.code === "CONFLICT")) throw err;
    }
  }
  return { cancelled };
}
