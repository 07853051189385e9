/**
 * SQL for the `wake` CTEs of the state-change statements (server/orchestration/*-transitions.ts):
 * the pools of workspace `$1` that have a due run carrying a limited tag that one of `freed` (a
 * relation with a `tags` column: runs that just gave up their lease) carried. A limit by tag spans
 * pools, so the slot a run frees may be the one a long poll of another pool waits for.
 *
 * The first condition does not depend on the pool, so Postgres checks it once, first: in a
 * workspace without limits by tag this is one probe of the limits' primary key.
 */
export function tagSlotWakePools(freed: string): string {
  const freedLimitedTags = `select l.tag from ${freed} f join concurrency_limits l on l.workspace_id = $1 and l.tag = any(f.tags)`;
  return `select p.id from work_pools p
           where p.workspace_id = $1
             and exists (${freedLimitedTags})
             and exists (select 1 from flow_runs r
                          where r.work_pool_id = p.id and r.state_type = 'SCHEDULED' and r.scheduled_time <= now()
                            and r.tags && array(${freedLimitedTags}))`;
}
