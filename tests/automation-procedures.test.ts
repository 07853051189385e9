import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { upsertDeployment } from "../server/deployments/upsert-deployment";
import { alertAttempts, alertDeliveries, alertDestinations, automations } from "../server/db/schema";
import { decryptSecret } from "../server/security/secret-box";
import { reloadEnv } from "../server/env";
import type { AppError } from "../server/errors";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers, TEST_ACTOR } from "./helpers/fixtures";
import { start } from "./helpers/recording-server";

const { db } = await createTestDatabase();

const SLACK_URL = "https://hooks.slack.com/services/T000/B000/abcdefghijklmnopqrstuvwx";

function allowPrivate(on: boolean) {
  if (on) process.env.BATON_ALLOW_PRIVATE_WEBHOOKS = "1";
  else delete process.env.BATON_ALLOW_PRIVATE_WEBHOOKS;
  reloadEnv();
}
const initialAllow = process.env.BATON_ALLOW_PRIVATE_WEBHOOKS;
afterEach(() => {
  if (initialAllow === undefined) delete process.env.BATON_ALLOW_PRIVATE_WEBHOOKS;
  else process.env.BATON_ALLOW_PRIVATE_WEBHOOKS = initialAllow;
  reloadEnv();
});

async function setup() {
  const w = await createWorkspaceWithMembers(db, ["viewer", "runner", "developer"]);
  const { deployment } = await upsertDeployment(db, w.ws.id, TEST_ACTOR, { flowName: "etl", name: "nightly", kind: "command", command: "true" });
  const dev = w.members.developer.caller;
  return { ...w, dev, slug: w.ws.slug, deployment };
}

const base = (slug: string) => ({
  workspace: slug,
  name: "Nightly failed",
  triggerKind: "run_state" as const,
  states: ["Failed", "Crashed"],
  actions: [{ kind: "slack" as const, url: SLACK_URL }],
});

/** The BAD_REQUEST's per-field messages, as the form shows them. */
async function fieldErrors(p: Promise<unknown>) {
  const err = await p.then(
    () => {
      throw new Error("expected the call to be refused");
    },
    (e) => e,
  );
  expect(err.code).toBe("BAD_REQUEST");
  return (err.cause as AppError).details?.fieldErrors as Record<string, string[]>;
}

describe("automations procedures", () => {
  it("create, list, get, update, setEnabled and delete round trip", async () => {
    const { dev, slug, deployment, owner, members } = await setup();
    // No DNS here: with the flag, hooks.slack.com is not looked up.
    allowPrivate(true);
    const created = await dev.automations.create({
      ...base(slug),
      flowIds: [deployment.flowId],
      tags: ["prod", " prod ", ""],
      template: "{{ run.name }} is {{ state }}",
      actions: [
        { kind: "slack", url: SLACK_URL },
        { kind: "email", userIds: [owner.user.id], roles: ["developer"], addresses: ["Ops@Example.com", "ops@example.com"] },
      ],
    });
    expect(created.newSecrets).toEqual([]);
    const a = created.automation;
    expect(a).toMatchObject({ name: "Nightly failed", enabled: true, triggerKind: "run_state", states: ["Failed", "Crashed"], flowIds: [deployment.flowId], tags: ["prod"], lastDelivery: null });
    expect(a.destinations.map((d) => [d.kind, d.target])).toEqual([
      ["slack", "hooks.slack.com/…uvwx"],
      ["email", "1 member, all developers, ops@example.com"],
    ]);
    expect(a.destinations[1].recipients).toEqual({ userIds: [owner.user.id], roles: ["developer"], addresses: ["ops@example.com"] });

    const listed = await members.viewer.caller.automations.list({ workspace: slug });
    expect(listed.map((x) => x.id)).toEqual([a.id]);
    expect(await members.viewer.caller.automations.get({ workspace: slug, automationId: a.id })).toEqual(listed[0]);

    // Keep the Slack URL ("keep"), drop the email, add a webhook; switch to "running longer".
    const slackId = a.destinations[0].id;
    const [slackBefore] = await db.select().from(alertDestinations).where(eq(alertDestinations.id, slackId));
    allowPrivate(true);
    const updated = await dev.automations.update({
      workspace: slug,
      automationId: a.id,
      name: " Slow runs ",
      triggerKind: "running_longer",
      minutes: 90,
      deploymentIds: [deployment.id],
      template: "  ",
      actions: [
        { kind: "slack", id: slackId, url: "keep" },
        { kind: "webhook", url: "http://127.0.0.1:9/hook?token=abcd" },
      ],
    });
    expect(updated.automation).toMatchObject({ name: "Slow runs", triggerKind: "running_longer", minutes: 90, hours: null, states: [], flowIds: [], tags: [], template: null, deploymentIds: [deployment.id] });
    expect(updated.automation.destinations.map((d) => d.kind)).toEqual(["slack", "webhook"]);
    expect(updated.automation.destinations[0].id).toBe(slackId);
    const [slackAfter] = await db.select().from(alertDestinations).where(eq(alertDestinations.id, slackId));
    expect(slackAfter.secret).toBe(slackBefore.secret);
    expect(updated.newSecrets).toHaveLength(1);
    expect(updated.newSecrets[0]).toMatchObject({ destinationId: updated.automation.destinations[1].id, target: "127.0.0.1:9/…abcd" });
    expect(updated.newSecrets[0].secret.length).toBeGreaterThanOrEqual(24);

    const off = await dev.automations.setEnabled({ workspace: slug, automationId: a.id, enabled: false });
    expect(off.enabled).toBe(false);
    await expect(dev.automations.delete({ workspace: slug, automationId: a.id })).resolves.toEqual({ id: a.id });
    expect(await db.select().from(automations).where(eq(automations.id, a.id))).toHaveLength(0);
    expect(await db.select().from(alertDestinations).where(eq(alertDestinations.automationId, a.id))).toHaveLength(0);
    await expect(dev.automations.get({ workspace: slug, automationId: a.id })).rejects.toMatchObject({ code: "NOT_FOUND" });

    // Every change is in the audit log, by who made it (Settings → Audit log).
    const log = (await owner.caller.audit.list({ workspace: slug })).items.filter((e) => e.targetType === "automation").reverse();
    expect(log.map((e) => [e.action, e.targetLabel])).toEqual([
      ["automation.created", "Nightly failed"],
      ["automation.updated", "Slow runs"],
      ["automation.disabled", "Slow runs"],
      ["automation.deleted", "Slow runs"],
    ]);
    expect(new Set(log.map((e) => e.actorLabel)).size).toBe(1);
  });

  it("Slack URLs and webhook secrets are stored encrypted and never returned; the webhook secret is shown once and can be rotated", async () => {
    const { dev, slug } = await setup();
    allowPrivate(true);
    const hookUrl = "http://127.0.0.1:9/receive/very-secret-path";
    const { automation, newSecrets } = await dev.automations.create({
      ...base(slug),
      actions: [
        { kind: "slack", url: SLACK_URL },
        { kind: "webhook", url: hookUrl },
      ],
    });
    const rows = await db.select().from(alertDestinations).where(eq(alertDestinations.automationId, automation.id));
    const slack = rows.find((r) => r.kind === "slack")!;
    const hook = rows.find((r) => r.kind === "webhook")!;
    expect(slack.secret).not.toContain("hooks.slack.com");
    expect(decryptSecret(slack.secret!)).toBe(SLACK_URL);
    expect(hook.secret).not.toContain("very-secret-path");
    expect(JSON.parse(decryptSecret(hook.secret!))).toEqual({ url: hookUrl, secret: newSecrets[0].secret });
    expect(hook.secret).not.toContain(newSecrets[0].secret);

    const everything = JSON.stringify([await dev.automations.list({ workspace: slug }), await dev.automations.get({ workspace: slug, automationId: automation.id })]);
    for (const leak of ["abcdefghijklmnopqrstuvwx", "very-secret-path", newSecrets[0].secret, slack.secret!, hook.secret!]) expect(everything).not.toContain(leak);

    const rotated = await dev.automations.rotateWebhookSecret({ workspace: slug, destinationId: hook.id });
    expect(rotated.secret).not.toBe(newSecrets[0].secret);
    const [after] = await db.select().from(alertDestinations).where(eq(alertDestinations.id, hook.id));
    expect(JSON.parse(decryptSecret(after.secret!))).toEqual({ url: hookUrl, secret: rotated.secret });
    await expect(dev.automations.rotateWebhookSecret({ workspace: slug, destinationId: slack.id })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("private-address and http webhook URLs are refused with a clear message unless BATON_ALLOW_PRIVATE_WEBHOOKS is set", async () => {
    const { dev, slug } = await setup();
    allowPrivate(false);
    for (const [url, address] of [
      ["https://127.0.0.1/x", "127.0.0.1"],
      ["https://10.0.0.5/", "10.0.0.5"],
    ]) {
      const errors = await fieldErrors(dev.automations.create({ ...base(slug), actions: [{ kind: "webhook", url }] }));
      expect(errors["actions.0"][0]).toMatch(new RegExp(`^The webhook URL points at ${address.replace(/\./g, "\\.")}, a private, loopback or link-local address\\..*BATON_ALLOW_PRIVATE_WEBHOOKS=1`));
    }
    const http = await fieldErrors(dev.automations.create({ ...base(slug), actions: [{ kind: "webhook", url: "http://example.com/hook" }] }));
    expect(http["actions.0"]).toEqual(["The webhook URL must start with https:// (it starts with http://)."]);
    const slack = await fieldErrors(dev.automations.create({ ...base(slug), actions: [{ kind: "slack", url: "https://127.0.0.1/services/a/b/c" }] }));
    expect(slack["actions.0"][0]).toMatch(/^The Slack webhook URL should look like https:\/\/hooks\.slack\.com\/services\//);
    expect(await db.select().from(automations).where(eq(automations.workspaceId, (await dev.workspaces.get({ workspace: slug })).id))).toHaveLength(0);

    allowPrivate(true);
    const ok = await dev.automations.create({ ...base(slug), actions: [{ kind: "webhook", url: "https://127.0.0.1/x" }, { kind: "webhook", url: "https://10.0.0.5/" }] });
    expect(ok.automation.destinations.map((d) => d.target)).toEqual(["127.0.0.1/…/x", "10.0.0.5"]);
  });

  it("validates the trigger, the actions, the template and the filters, naming each field", async () => {
    const { dev, slug, owner } = await setup();
    allowPrivate(false);
    const errors = await fieldErrors(
      dev.automations.create({
        workspace: slug,
        name: " ",
        triggerKind: "run_state",
        states: [],
        template: "Hello {{ nope }}",
        actions: [
          { kind: "email", userIds: [], roles: [], addresses: [] },
          { kind: "email", roles: ["admin"], addresses: ["not-an-address"] },
          { kind: "slack", url: "https://example.com/not-slack" },
        ],
      }),
    );
    expect(Object.keys(errors).sort()).toEqual(["actions.0", "actions.1", "actions.2", "name", "states", "template"]);
    expect(errors.template[0]).toContain("nope");
    expect(errors["actions.2"][0]).toMatch(/hooks\.slack\.com\/services/);

    allowPrivate(true);

    expect(Object.keys(await fieldErrors(dev.automations.create({ ...base(slug), actions: [] })))).toEqual(["actions"]);
    expect((await fieldErrors(dev.automations.create({ ...base(slug), triggerKind: "running_longer", minutes: 0 }))).minutes[0]).toMatch(/1 to 10080/);
    const noSuccess = await fieldErrors(dev.automations.create({ ...base(slug), triggerKind: "no_success", hours: 721 }));
    expect(Object.keys(noSuccess).sort()).toEqual(["deploymentIds", "hours"]);
    // "No success" picks deployments by id, flow or tag; with a tag only it is fine (hours stored as minutes).
    const byTag = await dev.automations.create({ ...base(slug), triggerKind: "no_success", hours: 24, tags: ["prod"] });
    expect(byTag.automation).toMatchObject({ triggerKind: "no_success", hours: 24, minutes: null, states: [], tags: ["prod"] });
    expect((await db.select().from(automations).where(eq(automations.id, byTag.automation.id)))[0].thresholdMinutes).toBe(1440);
    const offline = await fieldErrors(dev.automations.create({ ...base(slug), triggerKind: "agent_offline", tags: ["prod"] }));
    expect(offline.deploymentIds[0]).toMatch(/every agent/);

    // Another workspace's flow, deployment and member are refused like ids that do not exist.
    const other = await setup();
    const foreign = await fieldErrors(
      dev.automations.create({
        ...base(slug),
        flowIds: [other.deployment.flowId],
        deploymentIds: [other.deployment.id],
        actions: [{ kind: "email", userIds: [other.owner.user.id, owner.user.id] }],
      }),
    );
    expect(foreign.flowIds[0]).toMatch(/does not exist in this workspace/);
    expect(foreign.deploymentIds[0]).toMatch(/does not exist in this workspace/);
    expect(foreign["actions.0"][0]).toMatch(/no longer in this workspace/);

    // An action id of another automation cannot be adopted (or its URL kept).
    const theirs = await other.dev.automations.create({ ...base(other.slug) });
    const mine = await dev.automations.create({ ...base(slug) });
    const adopt = await fieldErrors(
      dev.automations.update({ ...base(slug), automationId: mine.automation.id, actions: [{ kind: "slack", id: theirs.automation.destinations[0].id, url: "keep" }] }),
    );
    expect(adopt["actions.0"][0]).toMatch(/no longer exists/);
  });

  it("re-enables a disabled action; sends a test and lists deliveries with their attempts, newest first by cursor", async () => {
    const { dev, slug, members, ws } = await setup();
    allowPrivate(true);
    const receiver = await start(() => ({ status: 200, body: "ok" }));
    try {
      const { automation } = await dev.automations.create({ ...base(slug), actions: [{ kind: "webhook", url: `${receiver.url}/hook` }] });
      const destinationId = automation.destinations[0].id;
      await db.update(alertDestinations).set({ disabledAt: new Date(), disabledReason: "HTTP 410 three times in a row", consecutiveGone: 3 }).where(eq(alertDestinations.id, destinationId));
      expect((await dev.automations.get({ workspace: slug, automationId: automation.id })).destinations[0]).toMatchObject({ disabledReason: "HTTP 410 three times in a row" });
      await expect(members.runner.caller.automations.enableDestination({ workspace: slug, destinationId })).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect(await dev.automations.enableDestination({ workspace: slug, destinationId })).toMatchObject({ disabledAt: null, disabledReason: null, consecutiveGone: 0 });

      const result = await dev.automations.sendTest({ workspace: slug, destinationId });
      expect(result).toMatchObject({ outcome: "sent", responseCode: 200 });
      expect(receiver.requests.filter((r) => r.path === "/hook")).toHaveLength(1);

      // Two more deliveries, so three pages of one.
      for (const n of [1, 2]) {
        const [d] = await db
          .insert(alertDeliveries)
          .values({ workspaceId: ws.id, automationId: automation.id, destinationId, dedupeKey: `t${n}`, event: { trigger: "run_state", event: "Failed", stateType: "FAILED", stateName: "Failed" }, status: "failed", attempts: 1 })
          .returning();
        await db.insert(alertAttempts).values({ workspaceId: d.workspaceId, deliveryId: d.id, outcome: "failed", responseCode: 404, error: "HTTP 404 Not Found", durationMs: 12 });
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof dev.automations.deliveries>> = await members.viewer.caller.automations.deliveries({ workspace: slug, automationId: automation.id, limit: 1, cursor });
        expect(page.items).toHaveLength(1);
        seen.push(page.items[0].event ?? "?");
        if (page.items[0].event === "Failed") expect(page.items[0].attempts).toEqual([expect.objectContaining({ outcome: "failed", responseCode: 404, error: "HTTP 404 Not Found", durationMs: 12 })]);
        else expect(page.items[0]).toMatchObject({ kind: "test", status: "sent", attempts: [expect.objectContaining({ outcome: "sent", responseCode: 200 })] });
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(["Failed", "Failed", "Test"]);
      expect((await dev.automations.list({ workspace: slug }))[0].lastDelivery).toMatchObject({ status: "failed" });
    } finally {
      await receiver.close();
    }
  });
});
