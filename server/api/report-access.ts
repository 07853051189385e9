import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { z } from "zod";
import { apiErrorSchema } from "../../agent/protocol/errors";
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

/** OpenAPI blocks for these routes: a JSON body, a JSON response, and the errors they answer. */
export const jsonRequest = <T extends z.ZodType>(schema: T) => ({ body: { content: { "application/json": { schema } }, required: true } });
export const jsonResponse = <T extends z.ZodType>(description: string, schema: T) => ({ description, content: { "application/json": { schema } } });
export const reportErrors = {
  401: jsonResponse("Missing, malformed, revoked or expired key or run token", apiErrorSchema),
  403: jsonResponse("The key's role does not allow this (agent keys report but do not read; viewers and runners read only)", apiErrorSchema),
  404: jsonResponse("Not found in this workspace, or not the run token's run", apiErrorSchema),
  409: jsonResponse("Written on behalf of an attempt that is not the run's current one (fencing)", apiErrorSchema),
  422: jsonResponse("The request is not valid; details lists each field", apiErrorSchema),
  503: jsonResponse("The database is unreachable; retry after Retry-After seconds", apiErrorSchema),
} as const;
