import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, invitations, memberships } from "../server/db/schema";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers } from "./helpers/fixtures";

const { db } = await createTestDatabase();

describe("roles are enforced on the server", () => {
  it("a viewer's invite, role change and key creation are refused, and nothing is written", async () => {
    const { ws, members } = await createWorkspaceWithMembers(db, ["viewer", "runner"]);
    const viewer = members.viewer;
    await expect(viewer.caller.invitations.create({ workspace: ws.slug, email: "x@example.com", role: "owner" })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("you are a viewer"),
    });
    await expect(viewer.caller.members.changeRole({ workspace: ws.slug, userId: members.runner.user.id, role: "owner" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.caller.members.changeRole({ workspace: ws.slug, userId: viewer.user.id, role: "owner" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.caller.apiKeys.create({ workspace: ws.slug, name: "k", role: "viewer" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.caller.workspaces.update({ workspace: ws.slug, name: "Mine now" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.caller.audit.list({ workspace: ws.slug })).rejects.toMatchObject({ code: "FORBIDDEN" });

    expect(await db.select().from(invitations).where(eq(invitations.email, "x@example.com"))).toHaveLength(0);
    expect(await db.select().from(apiKeys).where(eq(apiKeys.workspaceId, ws.id))).toHaveLength(0);
    const [m] = await db.select().from(memberships).where(eq(memberships.userId, viewer.user.id));
    expect(m.role).toBe("viewer");
  });

  it("billing is for owners: a developer cannot see it, check out or open the portal", async () => {
    const { ws, members } = await createWorkspaceWithMembers(db, ["developer"]);
    const dev = members.developer.caller;
    for (const call of [() => dev.billing.overview({ workspace: ws.slug }), () => dev.billing.checkout({ workspace: ws.slug, plan: "pro" }), () => dev.billing.portal({ workspace: ws.slug })]) {
      await expect(call()).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("an owner") });
    }
  });

  it("automations: runners and viewers read them but cannot create, change, delete or test them", async () => {
    const { ws, owner, members } = await createWorkspaceWithMembers(db, ["viewer", "runner", "developer"]);
    const slug = ws.slug;
    const input = { workspace: slug, name: "Failures", triggerKind: "run_state" as const, states: ["Failed"], actions: [{ kind: "email" as const, roles: ["owner"] }] };
    const { automation } = await members.developer.caller.automations.create(input);
    const automationId = automation.id;
    const destinationId = automation.destinations[0].id;
    for (const role of ["viewer", "runner"] as const) {
      const caller = members[role].caller;
      expect((await caller.automations.list({ workspace: slug })).map((a) => a.id)).toEqual([automationId]);
      await caller.automations.get({ workspace: slug, automationId });
      await caller.automations.deliveries({ workspace: slug, automationId });
      const refused = [
        () => caller.automations.create(input),
        () => caller.automations.update({ ...input, automationId, name: "Mine now" }),
        () => caller.automations.delete({ workspace: slug, automationId }),
        () => caller.automations.setEnabled({ workspace: slug, automationId, enabled: false }),
        () => caller.automations.enableDestination({ workspace: slug, destinationId }),
        () => caller.automations.rotateWebhookSecret({ workspace: slug, destinationId }),
        () => caller.automations.sendTest({ workspace: slug, destinationId }),
      ];
      for (const call of refused) await expect(call()).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining(`you are a ${role}`) });
    }
    expect(await owner.caller.automations.get({ workspace: slug, automationId })).toMatchObject({ name: "Failures", enabled: true });
    expect(await owner.caller.automations.list({ workspace: slug })).toHaveLength(1);
  });

  it("the last owner cannot leave or be demoted; with a second owner they can", async () => {
    const { ws, owner, members } = await createWorkspaceWithMembers(db, ["developer"]);
    await expect(owner.caller.members.leave({ workspace: ws.slug })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("last owner") });
    await expect(owner.caller.members.changeRole({ workspace: ws.slug, userId: owner.user.id, role: "developer" })).rejects.toMatchObject({ code: "CONFLICT" });
    await owner.caller.members.changeRole({ workspace: ws.slug, userId: members.developer.user.id, role: "owner" });
    await owner.caller.members.changeRole({ workspace: ws.slug, userId: owner.user.id, role: "developer" });
    await expect(members.developer.caller.members.leave({ workspace: ws.slug })).rejects.toMatchObject({ code: "CONFLICT" });
    await owner.caller.members.leave({ workspace: ws.slug });
    await expect(owner.caller.workspaces.get({ workspace: ws.slug })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("two owners demoting each other at once leave exactly one owner", async () => {
    const { ws, owner, members } = await createWorkspaceWithMembers(db, ["owner"]);
    const other = members.owner;
    const results = await Promise.allSettled([
      owner.caller.members.changeRole({ workspace: ws.slug, userId: other.user.id, role: "viewer" }),
      other.caller.members.changeRole({ workspace: ws.slug, userId: owner.user.id, role: "viewer" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const owners = await db.select().from(memberships).where(eq(memberships.workspaceId, ws.id));
    expect(owners.filter((m) => m.role === "owner")).toHaveLength(1);
  });

  it("records membership, invitation, key and settings changes in the audit log, for owners", async () => {
    const { ws, owner, members } = await createWorkspaceWithMembers(db, ["runner"]);
    await owner.caller.members.changeRole({ workspace: ws.slug, userId: members.runner.user.id, role: "developer" });
    const key = await owner.caller.apiKeys.create({ workspace: ws.slug, name: "deploy", role: "developer" });
    await owner.caller.apiKeys.revoke({ workspace: ws.slug, keyId: key.apiKey.id });
    await owner.caller.workspaces.update({ workspace: ws.slug, name: "Renamed" });
    const { items } = await owner.caller.audit.list({ workspace: ws.slug });
    expect(items.map((e) => e.action).reverse()).toEqual([
      "workspace.created",
      "invitation.created",
      "invitation.accepted",
      "member.role_changed",
      "api_key.created",
      "api_key.revoked",
      "workspace.updated",
    ]);
    const roleChange = items.find((e) => e.action === "member.role_changed")!;
    expect(roleChange).toMatchObject({ actorLabel: owner.user.email, targetLabel: members.runner.user.email, details: { from: "runner", to: "developer" }, ip: "127.0.0.1" });
  });

  it("workspace slugs are derived, unique and editable by owners", async () => {
    const { owner } = await createWorkspaceWithMembers(db);
    const a = await owner.caller.workspaces.create({ name: "Acme ML Team!" });
    const b = await owner.caller.workspaces.create({ name: "Acme ML Team" });
    expect(a.slug).toBe("acme-ml-team");
    expect(b.slug).toBe("acme-ml-team-2");
    await expect(owner.caller.workspaces.update({ workspace: b.slug, slug: "acme-ml-team" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(owner.caller.workspaces.update({ workspace: b.slug, slug: "Bad Slug!" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const renamed = await owner.caller.workspaces.update({ workspace: b.slug, slug: "acme-research" });
    expect(renamed.slug).toBe("acme-research");
    const me = await owner.caller.account.me();
    expect(me.workspaces.map((w) => w.slug)).toEqual(expect.arrayContaining(["acme-ml-team", "acme-research"]));
  });

  it("secrets and variables: developers write; runners and viewers see names and variable values, never a secret's value", async () => {
    const { ws, members } = await createWorkspaceWithMembers(db, ["developer", "runner", "viewer"]);
    const slug = ws.slug;
    await members.developer.caller.secrets.set({ workspace: slug, name: "aws-key", value: "AKIA-role-test" });
    await members.developer.caller.variables.set({ workspace: slug, name: "bucket", value: "my-bucket" });
    for (const role of ["runner", "viewer"] as const) {
      const caller = members[role].caller;
      const listed = await caller.secrets.list({ workspace: slug });
      expect(listed).toMatchObject([{ name: "aws-key", createdBy: members.developer.user.email, updatedBy: members.developer.user.email }]);
      expect(JSON.stringify(listed)).not.toContain("AKIA-role-test");
      expect(await caller.variables.list({ workspace: slug })).toMatchObject([{ name: "bucket", value: "my-bucket" }]);
      for (const call of [
        () => caller.secrets.set({ workspace: slug, name: "aws-key", value: "mine" }),
        () => caller.secrets.remove({ workspace: slug, name: "aws-key" }),
        () => caller.variables.set({ workspace: slug, name: "bucket", value: "mine" }),
        () => caller.variables.remove({ workspace: slug, name: "bucket" }),
      ]) {
        await expect(call()).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining(`you are a ${role}`) });
      }
    }
    expect(JSON.stringify(await members.developer.caller.secrets.list({ workspace: slug }))).not.toContain("AKIA-role-test");
  });
});
