import type pg from "pg";
import type { Artifact } from "../../agent/protocol/artifacts";
import { resolveRun, type RunTokenScope } from "../task-runs/resolve-run";
import { ARTIFACT_COLUMNS, toArtifact, type ArtifactRow } from "./artifact-row";

/** A flow run's artifacts, oldest first; the cursor is the last artifact's id. */
export async function listRunArtifacts(opts: {
  pool: pg.Pool;
  workspaceId: string;
  runToken: RunTokenScope;
  runId: string;
  after?: string;
  limit: number;
}): Promise<{ artifacts: Artifact[]; nextCursor: string | null }> {
  const { pool, workspaceId } = opts;
  const run = await resolveRun(pool, { workspaceId, runId: opts.runId, runToken: opts.runToken });
  const { rows } = await pool.query<ArtifactRow>(
    `select ${ARTIFACT_COLUMNS} from artifacts a
      where workspace_id = $1 and flow_run_id = $2
        and ($3::uuid is null or (created_at, id) > (select c.created_at, c.id from artifacts c where c.workspace_id = $1 and c.id = $3))
      order by created_at, id
      limit $4`,
    [workspaceId, run.id, opts.after ?? null, opts.limit + 1],
  );
  const page = rows.slice(0, opts.limit);
  return { artifacts: page.map(toArtifact), nextCursor: rows.length > opts.limit ? page[page.length - 1].id : null };
}
