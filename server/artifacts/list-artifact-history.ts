import type pg from "pg";
import type { Artifact } from "../../agent/protocol/artifacts";
import type { RunTokenScope } from "../task-runs/resolve-run";
import { ARTIFACT_COLUMNS, toArtifact, type ArtifactRow } from "./artifact-row";

/** Every version of a keyed artifact in the workspace, newest first (a run token sees its own run's only). */
export async function listArtifactHistory(opts: {
  pool: pg.Pool;
  workspaceId: string;
  runToken: RunTokenScope;
  key: string;
  after?: string;
  limit: number;
}): Promise<{ artifacts: Artifact[]; nextCursor: string | null }> {
  const { rows } = await opts.pool.query<ArtifactRow>(
    `select ${ARTIFACT_COLUMNS} from artifacts
      where workspace_id = $1 and key = $2 and ($3::uuid is null or flow_run_id = $3)
        and ($4::uuid is null or (created_at, id) < (select c.created_at, c.id from artifacts c where c.workspace_id = $1 and c.id = $4))
      order by created_at desc, id desc
      limit $5`,
    [opts.workspaceId, opts.key, opts.runToken?.runId ?? null, opts.after ?? null, opts.limit + 1],
  );
  const page = rows.slice(0, opts.limit);
  return { artifacts: page.map(toArtifact), nextCursor: rows.length > opts.limit ? page[page.length - 1].id : null };
}
