import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { claimRequestSchema, claimResponseSchema, workPoolCreateSchema, workPoolSchema, workPoolUpdateSchema } from "../../../agent/protocol/work-pools";
import { resolveClaimant } from "../../agents/agents";
import { claimWithWait } from "../../dispatch/claim-with-wait";
import { resolveClaimEnv } from "../../secrets/resolve-claim-env";
import { GIT_CREDENTIALS_KEY, withSourceCredentials } from "../../secrets/config-references";
import { issueRunToken } from "../../orchestration/run-token";
import { reportStates } from "../../runs/change-run-state";
import { createWorkPool, listWorkPools, updateWorkPool } from "../../work-pools/manage-work-pools";
import { principalActor } from "../../api-keys/authenticate-api-key";
import { allowRoles, requireApiKey, type ApiEnv } from "../authenticate";
import { errorResponses, json, jsonBody } from "../openapi-helpers";

const nameParam = { params: z.object({ name: z.string() }) };
const developers = allowRoles("owner", "developer");

export function registerWorkPools(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/work-pools",
      summary: "List work pools",
      middleware: [requireApiKey, allowRoles("owner", "developer", "runner", "viewer")] as const,
      responses: { 200: json("Pools by name", z.object({ workPools: z.array(workPoolSchema) })), ...errorResponses },
    }),
    async (c) => c.json({ workPools: await listWorkPools(c.get("db"), c.get("principal").workspace.id) }, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/work-pools",
      summary: "Create a work pool",
      middleware: [requireApiKey, developers] as const,
      request: jsonBody(workPoolCreateSchema),
      responses: { 201: json("The pool", workPoolSchema), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await createWorkPool(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("json")), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/work-pools/{name}",
      summary: "Change a pool's concurrency limit, pause or resume it",
      middleware: [requireApiKey, developers] as const,
      request: { ...nameParam, ...jsonBody(workPoolUpdateSchema) },
      responses: { 200: json("The pool", workPoolSchema), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await updateWorkPool(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("param").name, c.req.valid("json")), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/work-pools/{name}/claim",
      summary: "Claim due runs for an agent (long poll)",
      description: "Returns up to `slots` due runs, each PENDING with a lease token and a run token. With waitSeconds, waits until a run becomes due.",
      middleware: [requireApiKey, allowRoles("owner", "developer", "agent")] as const,
      request: { ...nameParam, ...jsonBody(claimRequestSchema) },
      responses: { 200: json("The claimed runs (possibly none)", claimResponseSchema), ...errorResponses },
    }),
    async (c) => {
      const ws = c.get("principal").workspace.id;
      const db = c.get("db");
      const body = c.req.valid("json");
      const { workPoolId, agentId } = await resolveClaimant(db, ws, c.req.valid("param").name, body.agentId);
      const claimed = await claimWithWait(db.$client, c.get("listener"), {
        workspaceId: ws,
        workPoolId,
        agentId,
        slots: body.slots,
        waitMs: body.waitSeconds * 1000,
        signal: c.req.raw.signal,
      });
      const result = { ...claimed, ...(await resolveClaimEnv(db.$client, ws, claimed.runs.map((r) => ({ ...r, env: withSourceCredentials(r.env, r.source) })))) };
      // The agent hung up (it is shutting down) after runs were claimed for it: nobody will get
      // them, so give them back now rather than when their lease expires.
      if (c.req.raw.signal.aborted && result.runs.length > 0) {
        await reportStates(
          db,
          ws,
          result.runs.map((r) => ({
            runId: r.id,
            state: { type: "SCHEDULED" as const, message: "Given back: the agent hung up before the claim was answered" },
            transitionId: randomUUID(),
            by: "agent" as const,
            fence: { attempt: r.attempt, leaseToken: r.lease_token },
          })),
        );
      }
      return c.json(
        {
          paused: result.paused,
          runs: result.runs.map((r) => ({
            id: r.id,
            name: r.name,
            flowName: r.flow_name,
            deployment: r.deployment_id
              ? { id: r.deployment_id, name: r.deployment_name!, kind: r.kind!, entrypoint: r.entrypoint, command: r.command, python: r.python, source: r.source, setup: r.setup, timeoutSeconds: r.timeout_seconds }
              : null,
            parameters: r.parameters,
            tags: r.tags,
            attempt: r.attempt,
            leaseToken: r.lease_token,
            leaseExpiresAt: r.lease_expires_at.toISOString(),
            runToken: issueRunToken({ workspaceId: ws, runId: r.id, attempt: r.attempt }),
            sourceCommit: r.source_commit,
            scheduledTime: r.scheduled_time.toISOString(),
            ...splitGitCredentials(r.env, r.secretKeys),
          })),
        },
        200,
      );
    },
  );
}

/** The token of a git source's credentials, resolved with the env, goes to the agent apart: never into the run's environment. */
function splitGitCredentials(env: Record<string, string>, secretKeys: string[]) {
  if (!(GIT_CREDENTIALS_KEY in env)) return { env, secretEnv: secretKeys, sourceCredentials: null };
  const { [GIT_CREDENTIALS_KEY]: token, ...rest } = env;
  return { env: rest, secretEnv: secretKeys.filter((k) => k !== GIT_CREDENTIALS_KEY), sourceCredentials: token };
}
