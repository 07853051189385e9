import { describe, expect, it } from "vitest";
import { upsertDeployment } from "../server/deployments/upsert-deployment";
import type { AppError } from "../server/errors";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers, TEST_ACTOR } from "./helpers/fixtures";

/** Saving automations whose actions act: every problem at its action's field, in the words the form shows. */

const { db } = await createTestDatabase();

async function setup() {
  const w = await createWorkspaceWithMembers(db, ["runner", "developer"]);
  const schema = { type: "object", properties: { date: { type: "string" }, epochs: { type: "integer" } }, required: ["date"] };
  const { deployment: ingest } = await upsertDeployment(db, w.ws.id, TEST_ACTOR, { flowName: "ingest", name: "daily", kind: "command", command: "true" });
  const { deployment: train } = await upsertDeployment(db, w.ws.id, TEST_ACTOR, { flowName: "train", name: "daily", kind: "command", command: "true", parameterSchema: schema });
  return { ...w, dev: w.members.developer.caller, slug: w.ws.slug, ingest, train };
}

const fieldErrorsOf = async (p: Promise<unknown>) => {
  const err = (await p.then(() => null, (e: unknown) => e)) as (AppError & { cause?: AppError; data?: { fieldErrors?: Record<string, string[]> } }) | null;
  expect(err).not.toBeNull();
  return err!.data?.fieldErrors ?? (err!.cause?.details as { fieldErrors?: Record<string, string[]> } | undefined)?.fieldErrors ?? {};
};

describe("saving actions that act", () => {
  it("keeps a run-a-deployment action with its template, and shows what it acts on", async () => {
    const s = await setup();
    const { automation } = await s.dev.automations.create({
      workspace: s.slug,
      name: "Train after ingest",
      triggerKind: "run_state",
      states: ["Completed"],
      deploymentIds: [s.ingest.id],
      actions: [
        { kind: "run_deployment", deploymentId: s.train.id, parameters: { date: "{{ run.parameters.date }}", epochs: 3 } },
        { kind: "resume_deployment", deploymentId: null },
        { kind: "pause_work_pool", workPoolId: null },
      ],
    });
    expect(automation.destinations.map((d) => [d.kind, d.target])).toEqual([
      ["run_deployment", "run train/daily"],
      ["resume_deployment", "resume the run's deployment"],
      ["pause_work_pool", "pause the run's work pool"],
    ]);
    expect(automation.destinations[0].config).toEqual({ kind: "run_deployment", deploymentId: s.train.id, parameters: { date: "{{ run.parameters.date }}", epochs: 3 } });
    // Acting actions have no "Send test": it would really start a run.
    await expect(s.dev.automations.sendTest({ workspace: s.slug, destinationId: automation.destinations[0].id })).rejects.toThrow(/Send test is for actions that notify/);
  });

  it("refuses a template the target's schema or the trigger cannot satisfy, at the action's field", async () => {
    const s = await setup();
    const base = { workspace: s.slug, name: "x", triggerKind: "run_state" as const, states: ["Completed"] };
    const wrongType = await fieldErrorsOf(s.dev.automations.create({ ...base, actions: [{ kind: "run_deployment", deploymentId: s.train.id, parameters: { date: "{{ run.parameters.date }}", epochs: "three" } }] }));
    expect(wrongType["actions.0"]).toEqual(["The parameter template does not fit the deployment's schema: epochs must be integer."]);
    const missing = await fieldErrorsOf(s.dev.automations.create({ ...base, actions: [{ kind: "run_deployment", deploymentId: s.train.id, parameters: {} }] }));
    expect(missing["actions.0"]).toEqual(["The parameter template does not fit the deployment's schema: date is required."]);
    const root = await fieldErrorsOf(s.dev.automations.create({ ...base, actions: [{ kind: "run_deployment", deploymentId: s.train.id, parameters: { date: "{{ body.date }}" } }] }));
    expect(root["actions.0"][0]).toMatch(/starts with "body", which is not available here: use \{\{ run\.… \}\}/);
    const noRun = await fieldErrorsOf(
      s.dev.automations.create({ ...base, triggerKind: "agent_offline", states: [], actions: [{ kind: "run_deployment", deploymentId: s.train.id, parameters: { date: "{{ run.parameters.date }}" } }] }),
    );
    expect(noRun["actions.0"][0]).toMatch(/starts with "run", which is not available here: use \{\{ agent\.… \}\}/);
    const ended = await fieldErrorsOf(s.dev.automations.create({ ...base, actions: [{ kind: "cancel_runs", which: "triggering" }] }));
    expect(ended["actions.0"][0]).toMatch(/has already ended, so there is nothing to cancel: trigger on Late/);
    const noDeployment = await fieldErrorsOf(s.dev.automations.create({ ...base, triggerKind: "agent_offline", states: [], actions: [{ kind: "pause_deployment", deploymentId: null }] }));
    expect(noDeployment["actions.0"][0]).toMatch(/names no deployment: choose the deployment/);
  });

  it("a deployment or pool of another workspace is not found, and a runner cannot save acting actions", async () => {
    const a = await setup();
    const b = await setup();
    const base = { workspace: a.slug, name: "x", triggerKind: "run_state" as const, states: ["Late"] };
    const foreign = await fieldErrorsOf(a.dev.automations.create({ ...base, actions: [{ kind: "run_deployment", deploymentId: b.ingest.id, parameters: {} }] }));
    expect(foreign["actions.0"]).toEqual(["The chosen deployment does not exist in this workspace (it may have been deleted). Choose it again."]);
    const pools = await b.dev.workPools.list({ workspace: b.slug });
    const foreignPool = await fieldErrorsOf(a.dev.automations.create({ ...base, actions: [{ kind: "pause_work_pool", workPoolId: pools[0].id }] }));
    expect(foreignPool["actions.0"]).toEqual(["The chosen work pool does not exist in this workspace (it may have been deleted). Choose it again."]);
    await expect(a.members.runner.caller.automations.create({ ...base, actions: [{ kind: "cancel_runs", which: "triggering" }] })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
