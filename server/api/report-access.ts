import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { allowRoles, type ApiEnv } from "./authenticate";

/**
 * Access for what a running flow sends and reads back (task runs, logs, artifacts, cache), after
 * `requireKeyOrRunToken`. Run tokens carry the agent role, so they pass `canReport`; services keep
 * them to their own run.
 */
export const canReport = allowRoles("agent", "developer", "owner");

/** Reading needs a person's role; an agent key only claims, heartbeats and reports. A run token may read its own run. */
const readerRoles = allowRoles("owner", "developer", "runner", "viewer");
export const canRead = createMiddleware<ApiEnv>(async (c, next) => (c.get("run") ? next() : readerRoles(c, next)));

/** The workspace every query filters by, and the run token's run and attempt when the caller holds one. */
export function reporter(c: Context<ApiEnv>) {
  const run = c.get("run");
  return { workspaceId: c.get("principal").workspace.id, runToken: run ? { runId: run.runId, attempt: run.attempt } : null };
}
