import type { Artifact } from "../../agent/protocol/artifacts";

export const ARTIFACT_COLUMNS = "id, flow_run_id, task_run_id, key, type, description, data, created_at";

export type ArtifactRow = {
  id: string;
  flow_run_id: string | null;
  task_run_id: string | null;
  key: string | null;
  type: Artifact["type"];
  description: string | null;
  data: unknown;
  created_at: Date;
};

export function toArtifact(r: ArtifactRow): Artifact {
  return { id: r.id, runId: r.flow_run_id, taskRunId: r.task_run_id, key: r.key, type: r.type, description: r.description, data: r.data, createdAt: r.created_at.toISOString() };
}
