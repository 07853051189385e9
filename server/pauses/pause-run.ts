import { and, eq, isNull } from "drizzle-orm";
import type { z } from "zod";
import type { pauseRequestSchema } from "../../agent/protocol/pauses";
import type { Db } from "../db/client";
import { flowRunPauses } from "../db/schema";
import { assertValidParameterSchema } from "../deployments/validate-parameters";
import { AppError } from "../errors";
import { applyTransitions } from "../orchestration/apply-transitions";
import type { RunTokenClaims } from "../orchestration/run-token";
import { getRun } from "../runs/load-runs";
import { failExpiredPauses } from "./fail-expired-pauses";
import { describeTimeout, toPauseView } from "./pause-view";

/**
 * The SDK's pauseForInput / pause_flow_run, with the run token: records what the flow asks, then
 * proposes RUNNING → PAUSED for the token's attempt. The process waits in place (docs/states.md#paused),
 * so the run keeps its lease; the agent (or an ad-hoc run's own heartbeat) keeps renewing it.
 * Retried with the same transitionId, it answers the same pause.
 */
export async function pauseRun(db: Db, claims: RunTokenClaims, runId: string, body: z.output<typeof pauseRequestSchema>) {
  if (claims.runId !== runId) throw new AppError("NOT_FOUND", "Flow run not found.");
  assertValidParameterSchema(body.schema, "The pause's schema");
  const run = await getRun(db, claims.workspaceId, runId);
  await db
    .insert(flowRunPauses)
    .values({
      workspaceId: claims.workspaceId,
      flowRunId: runId,
      attempt: claims.attempt,
      transitionId: body.transitionId,
      schema: body.schema,
      message: body.message ?? null,
      timeoutAt: new Date(Date.now() + body.timeoutSeconds * 1000),
    })
    .onConflictDoNothing();
  const [pause] = await db.select().from(flowRunPauses).where(and(eq(flowRunPauses.flowRunId, runId), eq(flowRunPauses.transitionId, body.transitionId)));
  const by = run.deploymentId ? "agent" : "sdk";
  const message = body.message ? `Waiting for input: ${body.message}` : `Waiting for input (up to ${describeTimeout(body.timeoutSeconds)})`;
  const [result] = await applyTransitions(db.$client, claims.workspaceId, [
    { runId, state: { type: "PAUSED", message: message.slice(0, 4000) }, transitionId: body.transitionId, by, fence: { attempt: claims.attempt } },
  ]);
  if (result.status === "NOT_FOUND") throw new AppError("NOT_FOUND", "Flow run not found.");
  if (result.status !== "ACCEPT") {
    // Nothing waits on a pause the rules refused: it must not time out a later one.
    await db.delete(flowRunPauses).where(and(eq(flowRunPauses.id, pause.id), isNull(flowRunPauses.submittedAt)));
    throw new AppError("CONFLICT", `The run could not pause: ${result.reason}`, { state: result.state });
  }
  return toPauseView(pause, { attempt: result.attempt, state: result.state });
}

/** Where a pause stands, for the SDK that waits on it; a pause past its timeout fails its run first (the SDK's clock does not decide). */
export async function readPause(db: Db, claims: RunTokenClaims, runId: string, pauseId: string) {
  if (claims.runId !== runId) throw new AppError("NOT_FOUND", "Flow run not found.");
  const find = () =>
    db
      .select()
      .from(flowRunPauses)
      .where(and(eq(flowRunPauses.workspaceId, claims.workspaceId), eq(flowRunPauses.flowRunId, runId), eq(flowRunPauses.id, pauseId)))
      .then((r) => r[0]);
  let pause = await find();
  if (!pause) throw new AppError("NOT_FOUND", "Pause not found.");
  if (!pause.submittedAt && pause.timeoutAt.getTime() <= Date.now()) {
    await failExpiredPauses(db, { workspaceId: claims.workspaceId, pauseId });
    pause = (await find())!;
  }
  return toPauseView(pause, await getRun(db, claims.workspaceId, runId));
}
