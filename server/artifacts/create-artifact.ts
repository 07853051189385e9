import type pg from "pg";
import type { Artifact, ArtifactCreate } from "../../agent/protocol/artifacts";
import { hasPgCode } from "../db/pg-errors";
import { uuidv7 } from "../db/uuidv7";
import { AppError } from "../errors";
import { resolveRun, type RunTokenScope } from "../task-runs/resolve-run";
import { ARTIFACT_COLUMNS, toArtifact, type ArtifactRow } from "./artifact-row";

/**
 * Stores an artifact (markdown, table or link; its data already checked against its type). With a
 * run token it belongs to the token's run, and a token of an earlier attempt is refused (409). A
 * task run must be one of the artifact's run. Artifacts sharing a key form that key's history.
 */
export async function createArtifact(opts: { pool: pg.Pool; workspaceId: string; runToken: RunTokenScope; input: ArtifactCreate }): Promise<Artifact> {
  const { pool, workspaceId, runToken, input } = opts;
  const runId = input.runId ?? runToken?.runId ?? null;
  if (runId) await resolveRun(pool, { workspaceId, runId, runToken, writeAsAttempt: runToken?.attempt });
  if (input.taskRunId) {
    if (!runId) throw new AppError("BAD_REQUEST", "An artifact of a task run needs the runId of its flow run too.");
    const { rowCount } = await pool.query("select 1 from task_runs where workspace_id = $1 and flow_run_id = $2 and id = $3", [workspaceId, runId, input.taskRunId]);
    if (!rowCount) throw new AppError("NOT_FOUND", `Task run ${input.taskRunId} is not a task run of flow run ${runId}.`);
  }
  try {
    const { rows } = await pool.query<ArtifactRow>(
      `with ins as (
         insert into artifacts (id, workspace_id, flow_run_id, task_run_id, key, type, description, data)
         values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
         returning ${ARTIFACT_COLUMNS}
       )
       select ins.*, case when flow_run_id is not null
                          then pg_notify('baton_events', json_build_object('w', $2::text, 'kind', 'artifact', 'ids', json_build_array(flow_run_id))::text) end as notified
         from ins`,
      [uuidv7(), workspaceId, runId, input.taskRunId ?? null, input.key ?? null, input.type, input.description ?? null, JSON.stringify(input.data)],
    );
    return toArtifact(rows[0]);
  } catch (err) {
    if (hasPgCode(err, "22P05")) throw new AppError("BAD_REQUEST", "Artifact data cannot contain the NUL character (\\u0000).");
    throw err;
  }
}
