import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { workspaces } from "../server/db/schema";
import { appRouter } from "../server/trpc/root";
import { upsertDeployment } from "../server/deployments/upsert-deployment";
import { createDeploymentRun } from "../server/runs/create-run";
import { createWorkPool } from "../server/work-pools/manage-work-pools";
import { startDeviceAuthorization } from "../server/device-auth/start-device-authorization";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers } from "./helpers/fixtures";
import { startApiServer } from "./helpers/api-server";
import { CASE_MODULES } from "./cross-tenant/index";
import type { CrossTenantContext } from "./cross-tenant/context";

/**
 * Workspace B (its owner and its keys) asks for workspace A's objects. Every tRPC procedure and
 * every /api/v1 route must appear in the tables below: a new one without a case fails this test.
 */
const { db } = await createTestDatabase();
const api = await startApiServer(db);

const A = await createWorkspaceWithMembers(db, ["viewer"]);
const B = await createWorkspaceWithMembers(db);
const aKey = await A.owner.caller.apiKeys.create({ workspace: A.ws.slug, name: "a-key", role: "owner" });
const aInvitation = await A.owner.caller.invitations.create({ workspace: A.ws.slug, email: "pending@example.com", role: "runner" });
const bKey = await B.owner.caller.apiKeys.create({ workspace: B.ws.slug, name: "b-key", role: "owner" });
const bAgentKey = await B.owner.caller.apiKeys.create({ workspace: B.ws.slug, name: "b-agent", role: "agent" });
const ctx: CrossTenantContext = { db, api, A, B, aKey: aKey.key, bKey: bKey.key, bAgentKey: bAgentKey.key };
const aViewer = A.members.viewer.user;
const aActor = { userId: A.owner.user.id, label: A.owner.user.email };
await createWorkPool(db, A.ws.id, aActor, { name: "a-private" });
await A.owner.caller.concurrencyLimits.set({ workspace: A.ws.slug, tag: "a-trpc-gpu", limit: 2 });
await A.owner.caller.secrets.set({ workspace: A.ws.slug, name: "a-trpc-secret", value: "a-trpc-hunter2" });
await A.owner.caller.variables.set({ workspace: A.ws.slug, name: "a-trpc-variable", value: { region: "a-only" } });
const { deployment: aDeployment } = await upsertDeployment(db, A.ws.id, aActor, { flowName: "a-trpc-flow", name: "a-trpc", kind: "command", command: "true" });
const { run: aRun } = await createDeploymentRun(db, A.ws.id, aActor, aDeployment.id, { parameters: {} });
// A `baton login` that A's owner approved into A (not yet collected): B must not re-decide it.
const aLogin = await startDeviceAuthorization(db, { clientName: "A's CLI", ip: null, userAgent: null });
await A.owner.caller.deviceAuth.approve({ workspace: A.ws.slug, userCode: aLogin.userCode, role: "developer" });
const aAutomation = (
  await A.owner.caller.automations.create({ workspace: A.ws.slug, name: "a-alert", triggerKind: "run_state", states: ["Failed"], actions: [{ kind: "email", roles: ["owner"] }] })
).automation;
const aDestination = aAutomation.destinations[0];
const aHook = (await A.owner.caller.incomingWebhooks.create({ workspace: A.ws.slug, name: "a-trpc-hook", deploymentId: aDeployment.id, signatureScheme: "github" })).incomingWebhook;

type Call = (input: Record<string, unknown>) => Promise<unknown>;
/** Per procedure: inputs aimed at A's objects, sent by B's owner. `slug` is the workspace the call names. */
const TRPC_CASES: Record<string, ((slug: string) => Record<string, unknown>) | "not workspace-scoped"> = {
  "account.me": "not workspace-scoped",
  "account.resendVerification": "not workspace-scoped",
  "account.changePassword": "not workspace-scoped",
  "workspaces.create": "not workspace-scoped",
  "workspaces.get": (slug) => ({ workspace: slug }),
  "workspaces.update": (slug) => ({ workspace: slug, name: "Taken over" }),
  "members.list": (slug) => ({ workspace: slug }),
  "members.changeRole": (slug) => ({ workspace: slug, userId: aViewer.id, role: "owner" }),
  "members.remove": (slug) => ({ workspace: slug, userId: aViewer.id }),
  "members.leave": (slug) => ({ workspace: slug }),
  "invitations.list": (slug) => ({ workspace: slug }),
  "invitations.create": (slug) => ({ workspace: slug, email: "intruder@example.com", role: "owner" }),
  "invitations.revoke": (slug) => ({ workspace: slug, invitationId: aInvitation.id }),
  "apiKeys.list": (slug) => ({ workspace: slug }),
  "apiKeys.create": (slug) => ({ workspace: slug, name: "intruder", role: "owner" }),
  "apiKeys.createServiceAccount": (slug) => ({ workspace: slug, name: "intruder", role: "owner" }),
  "apiKeys.revoke": (slug) => ({ workspace: slug, keyId: aKey.apiKey.id }),
  "audit.list": (slug) => ({ workspace: slug }),
  "runs.list": (slug) => ({ workspace: slug }),
  "runs.get": (slug) => ({ workspace: slug, runId: aRun.id }),
  "runs.waiting": (slug) => ({ workspace: slug, runId: aRun.id }),
  "runs.history": (slug) => ({ workspace: slug, runId: aRun.id }),
  "runs.lineage": (slug) => ({ workspace: slug, runId: aRun.id }),
  "runs.create": (slug) => ({ workspace: slug, deploymentId: aDeployment.id, parameters: {} }),
  "runs.cancel": (slug) => ({ workspace: slug, runId: aRun.id }),
  "runs.retry": (slug) => ({ workspace: slug, runId: aRun.id }),
  "runs.taskRuns": (slug) => ({ workspace: slug, runId: aRun.id }),
  "runs.taskRunHistory": (slug) => ({ workspace: slug, runId: aRun.id }),
  "runs.logs": (slug) => ({ workspace: slug, runId: aRun.id }),
  "runs.artifacts": (slug) => ({ workspace: slug, runId: aRun.id }),
  "runs.pause": (slug) => ({ workspace: slug, runId: aRun.id }),
  "runs.resume": (slug) => ({ workspace: slug, runId: aRun.id, input: { approve: true } }),
  "deployments.list": (slug) => ({ workspace: slug }),
  "deployments.get": (slug) => ({ workspace: slug, deploymentId: aDeployment.id }),
  "deployments.setPaused": (slug) => ({ workspace: slug, deploymentId: aDeployment.id, paused: true }),
  "deployments.setCatchUp": (slug) => ({ workspace: slug, deploymentId: aDeployment.id, catchUp: "none", maxLatenessSeconds: 60 }),
  "deployments.setSource": (slug) => ({ workspace: slug, deploymentId: aDeployment.id, source: { kind: "git", url: "file:///x.git", ref: "main" }, setup: null }),
  "deployments.flows": (slug) => ({ workspace: slug }),
  "deployments.overview": (slug) => ({ workspace: slug }),
  "deployments.previewSchedule": (slug) => ({ workspace: slug, kind: "cron", cron: "0 9 * * *", timezone: "UTC" }),
  "deployments.replaceSchedules": (slug) => ({ workspace: slug, deploymentId: aDeployment.id, schedules: [{ kind: "cron", cron: "* * * * *" }] }),
  "deployments.flow": (slug) => ({ workspace: slug, flowId: aDeployment.flowId }),
  "workPools.list": (slug) => ({ workspace: slug }),
  "workPools.create": (slug) => ({ workspace: slug, name: "intruder-pool" }),
  "workPools.update": (slug) => ({ workspace: slug, pool: "a-private", paused: true }),
  "workPools.agents": (slug) => ({ workspace: slug }),
  "concurrencyLimits.list": (slug) => ({ workspace: slug }),
  "concurrencyLimits.set": (slug) => ({ workspace: slug, tag: "a-trpc-gpu", limit: 0 }),
  "concurrencyLimits.remove": (slug) => ({ workspace: slug, tag: "a-trpc-gpu" }),
  "secrets.list": (slug) => ({ workspace: slug }),
  "secrets.set": (slug) => ({ workspace: slug, name: "a-trpc-secret", value: "taken over" }),
  "secrets.remove": (slug) => ({ workspace: slug, name: "a-trpc-secret" }),
  "variables.list": (slug) => ({ workspace: slug }),
  "variables.set": (slug) => ({ workspace: slug, name: "a-trpc-variable", value: "taken over" }),
  "variables.remove": (slug) => ({ workspace: slug, name: "a-trpc-variable" }),
  // The user code is the secret that finds a pending login; it belongs to no workspace until decided.
  "deviceAuth.lookup": "not workspace-scoped",
  "deviceAuth.approve": (slug) => ({ workspace: slug, userCode: aLogin.userCode, role: "developer" }),
  "deviceAuth.deny": (slug) => ({ workspace: slug, userCode: aLogin.userCode }),
  "automations.list": (slug) => ({ workspace: slug }),
  "automations.get": (slug) => ({ workspace: slug, automationId: aAutomation.id }),
  "automations.create": (slug) => ({ workspace: slug, name: "intruder", triggerKind: "run_state", states: ["Failed"], actions: [{ kind: "email", roles: ["owner"] }] }),
  "automations.update": (slug) => ({ workspace: slug, automationId: aAutomation.id, name: "Taken over", triggerKind: "run_state", states: ["Completed"], actions: [{ kind: "email", id: aDestination.id, addresses: ["intruder@example.com"] }] }),
  "automations.delete": (slug) => ({ workspace: slug, automationId: aAutomation.id }),
  "automations.setEnabled": (slug) => ({ workspace: slug, automationId: aAutomation.id, enabled: false }),
  "automations.enableDestination": (slug) => ({ workspace: slug, destinationId: aDestination.id }),
  "automations.rotateWebhookSecret": (slug) => ({ workspace: slug, destinationId: aDestination.id }),
  "automations.sendTest": (slug) => ({ workspace: slug, destinationId: aDestination.id }),
  "automations.deliveries": (slug) => ({ workspace: slug, automationId: aAutomation.id }),
  "incomingWebhooks.list": (slug) => ({ workspace: slug }),
  "incomingWebhooks.get": (slug) => ({ workspace: slug, id: aHook.id }),
  "incomingWebhooks.requests": (slug) => ({ workspace: slug, id: aHook.id }),
  "incomingWebhooks.create": (slug) => ({ workspace: slug, name: "intruder", deploymentId: aDeployment.id }),
  "incomingWebhooks.update": (slug) => ({ workspace: slug, id: aHook.id, enabled: false }),
  "incomingWebhooks.rotate": (slug) => ({ workspace: slug, id: aHook.id }),
  "incomingWebhooks.delete": (slug) => ({ workspace: slug, id: aHook.id }),
  // Billing is workspace-wide (no ids): B can only ever name its own workspace. With billing on, see tests/billing.test.ts.
  "billing.overview": (slug) => ({ workspace: slug }),
  "billing.checkout": (slug) => ({ workspace: slug, plan: "pro" }),
  "billing.portal": (slug) => ({ workspace: slug }),
};

/** Objects that take an id: with B's own slug they must still not reach A's rows. */
const BY_ID_IN_OWN_WORKSPACE = new Set([
  "members.changeRole",
  "members.remove",
  "invitations.revoke",
  "apiKeys.revoke",
  "runs.get",
  "runs.waiting",
  "runs.history",
  "runs.lineage",
  "runs.create",
  "runs.cancel",
  "runs.retry",
  "runs.taskRuns",
  "runs.taskRunHistory",
  "runs.logs",
  "runs.artifacts",
  "runs.pause",
  "runs.resume",
  "deployments.get",
  "deployments.setPaused",
  "deployments.setCatchUp",
  "deployments.setSource",
  "deployments.replaceSchedules",
  "deployments.flow",
  "workPools.update",
  "concurrencyLimits.remove",
  "secrets.remove",
  "variables.remove",
  "deviceAuth.approve",
  "deviceAuth.deny",
  "automations.get",
  "automations.update",
  "automations.delete",
  "automations.setEnabled",
  "automations.enableDestination",
  "automations.rotateWebhookSecret",
  "automations.sendTest",
  "automations.deliveries",
  "incomingWebhooks.get",
  "incomingWebhooks.requests",
  "incomingWebhooks.create",
  "incomingWebhooks.update",
  "incomingWebhooks.rotate",
  "incomingWebhooks.delete",
]);

const API_CASES: Record<string, () => Promise<void>> = {
  "GET /api/v1/me": async () => {
    const res = await api.call("GET", "/api/v1/me", { key: ctx.bKey });
    expect(res.status).toBe(200);
    expect(res.json.workspace.id).toBe(B.ws.id);
  },
  "GET /api/v1/openapi.json": async () => {
    expect((await api.call("GET", "/api/v1/openapi.json")).status).toBe(200);
  },
};

/** A fingerprint of every row of workspace A in every table that has a workspace_id (new tables included). */
async function snapshotA() {
  const { rows: tables } = await db.$client.query<{ table_name: string }>(
    "select table_name from information_schema.columns where column_name = 'workspace_id' and table_schema = 'public' order by table_name",
  );
  const out: Record<string, unknown> = { workspace: await db.select().from(workspaces).where(eq(workspaces.id, A.ws.id)) };
  for (const { table_name } of tables) {
    const { rows } = await db.$client.query(
      `select count(*)::int as n, md5(coalesce(string_agg(t::text, ',' order by t::text), '')) as h from "${table_name}" t where t.workspace_id = $1`,
      [A.ws.id],
    );
    out[table_name] = rows[0];
  }
  return out;
}

function procedureCall(path: string): Call {
  const [ns, name] = path.split(".");
  return (input) => (B.owner.caller as unknown as Record<string, Record<string, Call>>)[ns][name](input);
}

describe("cross-tenant isolation", () => {
  it("every tRPC procedure has a cross-tenant case", () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    expect(procedures.filter((p) => !(p in TRPC_CASES))).toEqual([]);
  });

  it("B's owner gets NOT_FOUND for A's workspace and objects, and A's rows do not change", async () => {
    const before = await snapshotA();
    for (const [path, makeInput] of Object.entries(TRPC_CASES)) {
      if (makeInput === "not workspace-scoped") continue;
      const call = procedureCall(path);
      await expect(call(makeInput(A.ws.slug)), `${path} with A's slug`).rejects.toMatchObject({ code: "NOT_FOUND" });
      if (BY_ID_IN_OWN_WORKSPACE.has(path)) {
        await expect(call(makeInput(B.ws.slug)), `${path} with A's object id`).rejects.toMatchObject({ code: "NOT_FOUND" });
      }
    }
    expect(await snapshotA()).toEqual(before);
  });

  it("every /api/v1 route has a case, and B's key only ever sees B", async () => {
    for (const load of CASE_MODULES) Object.assign(API_CASES, await (await load()).cases(ctx));
    const routes = api.app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    expect(routes.filter((r) => !(r in API_CASES))).toEqual([]);
    const before = await snapshotA();
    for (const [route, check] of Object.entries(API_CASES)) {
      await check().catch((err: Error) => {
        throw new Error(`${route}: ${err.message}`);
      });
    }
    expect(await snapshotA()).toEqual(before);
  });

  it("a slug that does not exist and one the user cannot see answer the same way", async () => {
    const missing = await B.owner.caller.workspaces.get({ workspace: "no-such-workspace" }).catch((e) => e);
    const hidden = await B.owner.caller.workspaces.get({ workspace: A.ws.slug }).catch((e) => e);
    expect(missing.code).toBe("NOT_FOUND");
    expect(hidden.code).toBe("NOT_FOUND");
    expect(hidden.message).toBe(missing.message.replace("no-such-workspace", A.ws.slug));
  });
});
