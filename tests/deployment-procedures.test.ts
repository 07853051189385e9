import { describe, expect, it } from "vitest";
import { upsertDeployment } from "../server/deployments/upsert-deployment";
import type { AppError } from "../server/errors";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers, TEST_ACTOR } from "./helpers/fixtures";

const { db } = await createTestDatabase();

const schema = { type: "object", required: ["dataset"], properties: { dataset: { type: "string" }, epochs: { type: "integer", minimum: 1 } } };

async function setup() {
  const w = await createWorkspaceWithMembers(db, ["viewer", "runner", "developer"]);
  const { deployment } = await upsertDeployment(db, w.ws.id, TEST_ACTOR, {
    flowName: "train",
    name: "nightly",
    kind: "command",
    command: "true",
    parameterSchema: schema,
    parameters: { dataset: "taxi" },
    schedules: [{ kind: "cron", cron: "0 9 * * *", timezone: "Europe/Berlin" }],
  });
  return { ...w, deployment, slug: w.ws.slug };
}

describe("the deployment pages' procedures", () => {
  it("runs.create needs a runner; a viewer is refused and no run is made", async () => {
    const { slug, deployment, members } = await setup();
    await expect(members.viewer.caller.runs.create({ workspace: slug, deploymentId: deployment.id, parameters: {} })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const { run } = await members.runner.caller.runs.create({ workspace: slug, deploymentId: deployment.id, parameters: { epochs: 2 } });
    expect(run.parameters).toEqual({ dataset: "taxi", epochs: 2 });
    const list = await members.viewer.caller.runs.list({ workspace: slug, deployment: deployment.id });
    expect(list.runs.filter((r) => r.createdBy !== "scheduler").map((r) => r.id)).toEqual([run.id]);
  });

  it("parameters that fail the schema are UNPROCESSABLE with per-field details", async () => {
    const { slug, deployment, members } = await setup();
    const err = await members.runner.caller.runs.create({ workspace: slug, deploymentId: deployment.id, parameters: { dataset: 3, epochs: 0 } }).catch((e) => e);
    expect(err.code).toBe("UNPROCESSABLE_CONTENT");
    expect((err.cause as AppError).details?.fieldErrors).toEqual({ dataset: ["must be string"], epochs: ["must be >= 1"] });
  });

  it("replaceSchedules needs a developer, validates, and changes the schedules", async () => {
    const { slug, deployment, members } = await setup();
    const input = { workspace: slug, deploymentId: deployment.id, schedules: [{ kind: "interval" as const, intervalSeconds: 3600 }] };
    await expect(members.viewer.caller.deployments.replaceSchedules(input)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(members.runner.caller.deployments.replaceSchedules(input)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      members.developer.caller.deployments.replaceSchedules({ ...input, schedules: [{ kind: "cron", cron: "0 25 * * *" }] }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^Schedule 1: Invalid cron expression/) });
    const saved = await members.developer.caller.deployments.replaceSchedules(input);
    expect(saved.schedules).toMatchObject([{ kind: "interval", intervalSeconds: 3600, active: true }]);
    expect((await members.viewer.caller.deployments.get({ workspace: slug, deploymentId: deployment.id })).schedules).toHaveLength(1);
    await members.developer.caller.deployments.replaceSchedules({ ...input, schedules: [] });
    expect((await members.viewer.caller.deployments.get({ workspace: slug, deploymentId: deployment.id })).schedules).toEqual([]);
  });

  it("overview: the next run from the schedule, none while paused; the last run that is not waiting", async () => {
    const { slug, deployment, members, owner } = await setup();
    const before = Date.now();
    const [o] = await members.viewer.caller.deployments.overview({ workspace: slug });
    expect(o.deploymentId).toBe(deployment.id);
    expect(Date.parse(o.nextRunTime!)).toBeGreaterThan(before);
    expect(Date.parse(o.nextRunTime!)).toBeLessThanOrEqual(before + 86_400_000);
    expect(o.lastRun).toBeNull();

    const { run } = await members.runner.caller.runs.create({ workspace: slug, deploymentId: deployment.id, parameters: {} });
    await members.runner.caller.runs.cancel({ workspace: slug, runId: run.id });
    await owner.caller.deployments.setPaused({ workspace: slug, deploymentId: deployment.id, paused: true });
    const [after] = await members.viewer.caller.deployments.overview({ workspace: slug });
    expect(after.nextRunTime).toBeNull();
    expect(after.lastRun).toMatchObject({ id: run.id, stateType: "CANCELLED", stateName: "Cancelled" });
  });

  it("flow: a flow of the workspace by id", async () => {
    const { slug, deployment, members } = await setup();
    expect(await members.viewer.caller.deployments.flow({ workspace: slug, flowId: deployment.flowId })).toMatchObject({ id: deployment.flowId, name: "train" });
    await expect(members.viewer.caller.deployments.flow({ workspace: slug, flowId: "00000000-0000-4000-8000-000000000000" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
