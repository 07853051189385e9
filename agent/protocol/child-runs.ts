import { z } from "zod";
import { flowRunSchema } from "./runs";

/**
 * `runDeployment` / `run_deployment` from inside a flow: a run of another deployment of the same
 * workspace, started with the parent's run token as the parent's child.
 */
export const startChildRunSchema = z
  .object({
    deployment: z
      .string()
      .trim()
      .min(1)
      .max(401)
      .meta({ description: 'The deployment to run: "<flow>/<deployment>" (as `baton deployments ls` shows it) or its id' }),
    parameters: z.record(z.string(), z.unknown()).default({}),
    idempotencyKey: z
      .string()
      .min(1)
      .max(100)
      .meta({ description: "Made by the SDK per call (the call's number in the run, e.g. `0`); Baton scopes it to the parent run and attempt: the same key again returns the child it started, so a retried request never makes two" }),
  })
  .meta({ id: "StartChildRun" });

export const childRunResultSchema = z.object({ run: flowRunSchema, created: z.boolean() }).meta({ id: "ChildRunResult" });

export const childRunListSchema = z.object({ runs: z.array(flowRunSchema) }).meta({ id: "ChildRunList" });

/** The run page's lineage panel: the run's parent, its children and the runs automations started after its events. */
export const runLineageSchema = z
  .object({
    parent: flowRunSchema.nullable(),
    children: z.array(flowRunSchema),
    triggered: z.array(flowRunSchema).meta({ description: "Runs whose triggeredByRunId is this run, oldest first" }),
  })
  .meta({ id: "RunLineage" });
