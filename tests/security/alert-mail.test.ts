import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { confirmAlertAddress, unsubscribeAlertAddress } from "../../server/alerts/alert-email-subscriptions";
import { workspaceAlerting as alertingWorkspace } from "../helpers/alerting";
import { startApiServer } from "../helpers/api-server";
import { createTestDatabase } from "../helpers/db";
import { addMember, createUser, uniqueEmail } from "../helpers/fixtures";

// No RESEND_API_KEY: every mail lands in the outbox (email_messages), where the test reads it.
const { db } = await createTestDatabase();
const api = await startApiServer(db);

type Mail = { to: string; template: string; subject: string; text: string };
/** Accepting an invitation verifies the address; these tests need members whose address is not (or no longer) verified. */
async function unverify(userId: string) {
  await db.$client.query("update users set email_verified_at = null where id = $1", [userId]);
}

async function mailTo(address: string): Promise<Mail[]> {
  const { rows } = await db.$client.query<Mail>(`select "to", template, subject, text from email_messages where lower("to") = lower($1) order by created_at`, [address]);
  return rows;
}

const workspaceAlerting = (action: Parameters<typeof alertingWorkspace>[2], roles?: ("developer" | "viewer")[]) => alertingWorkspace(db, api, action, roles);

function tokenFrom(mail: Mail): string {
  const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
  if (!token) throw new Error(`no link in: ${mail.text}`);
  return token;
}

describe("an email action is not a mail relay", () => {
  it("Send test mails only the person pressing it, whatever the action lists", async () => {
    const strangers = [uniqueEmail("stranger"), uniqueEmail("stranger")];
    const w = await workspaceAlerting({ addresses: strangers, roles: ["viewer"] }, ["developer", "viewer"]);
    const dev = w.members.developer;
    const result = await dev.caller.automations.sendTest({ workspace: w.ws.slug, destinationId: w.destinationId });
    expect(result.outcome).toBe("kept");
    const toDev = (await mailTo(dev.user.email)).filter((m) => m.template.startsWith("alert-"));
    expect(toDev).toHaveLength(1);
    expect(toDev[0].subject).toMatch(/^Test: /);
    for (const s of strangers) expect((await mailTo(s)).filter((m) => m.template !== "alert-subscription-confirm")).toEqual([]);
    expect((await mailTo(w.members.viewer.user.email)).filter((m) => m.template.startsWith("alert-"))).toEqual([]);
    expect((await mailTo(w.owner.user.email)).filter((m) => m.template.startsWith("alert-"))).toEqual([]);
  });

  it("Send test is refused for a tester whose own address is not verified", async () => {
    const w = await workspaceAlerting({ roles: ["owner"] });
    const unverified = await createUser(db, { verified: false });
    await addMember(db, w.ws.id, w.owner.user.id, unverified.user, "developer");
    await unverify(unverified.user.id);
    await expect(unverified.caller.automations.sendTest({ workspace: w.ws.slug, destinationId: w.destinationId })).rejects.toThrow(/not verified/);
    expect((await mailTo(unverified.user.email)).filter((m) => m.template.startsWith("alert-"))).toEqual([]);
  });

  it("Send test allows 10 per minute per workspace, then says when to try again", async () => {
    const w = await workspaceAlerting({ roles: ["owner"] });
    const sent: string[] = [];
    let refused: unknown = null;
    // 21 tries span at most two minute windows: the limit must refuse one of them.
    for (let i = 0; i < 21 && !refused; i++) {
      try {
        sent.push((await w.owner.caller.automations.sendTest({ workspace: w.ws.slug, destinationId: w.destinationId })).outcome);
      } catch (err) {
        refused = err;
      }
    }
    expect(sent.length).toBeGreaterThanOrEqual(10);
    expect(sent.length).toBeLessThanOrEqual(20);
    expect(refused).toBeInstanceOf(TRPCError);
    expect((refused as TRPCError).code).toBe("TOO_MANY_REQUESTS");
    expect((refused as TRPCError).message).toMatch(/10 per minute per workspace\. Try again in \d+ s\./);
    expect((await mailTo(w.owner.user.email)).filter((m) => m.template.startsWith("alert-")).length).toBe(sent.length);
  });

  it("an external address gets one confirmation mail and no alert until it confirms; then alerts with an unsubscribe link; after unsubscribing, none", async () => {
    const outsider = uniqueEmail("outsider");
    const w = await workspaceAlerting({ addresses: [outsider], roles: ["owner"] });
    const asked = await mailTo(outsider);
    expect(asked.map((m) => m.template)).toEqual(["alert-subscription-confirm"]);
    expect(asked[0].subject).toBe(`${w.ws.name} wants to send you Baton alerts`);
    const view = await w.owner.caller.automations.get({ workspace: w.ws.slug, automationId: w.automation.id });
    expect(view.destinations[0].addressStatuses).toEqual([{ address: outsider, status: "waiting" }]);

    expect((await w.alert()).status).toBe("sent");
    expect((await mailTo(outsider)).length).toBe(1);
    expect((await mailTo(w.owner.user.email)).filter((m) => m.template.startsWith("alert-"))).toHaveLength(1);

    // Saving the automation again does not ask twice.
    await w.owner.caller.automations.update({ workspace: w.ws.slug, automationId: w.automation.id, name: "Renamed", triggerKind: "run_state", states: ["Cancelled"], actions: [{ kind: "email", id: w.destinationId, userIds: [], roles: ["owner"], addresses: [outsider] }] });
    expect((await mailTo(outsider)).length).toBe(1);

    expect(await confirmAlertAddress(db, tokenFrom(asked[0]))).toMatchObject({ address: outsider });
    expect((await w.owner.caller.automations.get({ workspace: w.ws.slug, automationId: w.automation.id })).destinations[0].addressStatuses).toEqual([{ address: outsider, status: "confirmed" }]);
    expect((await w.alert()).status).toBe("sent");
    const alerts = (await mailTo(outsider)).filter((m) => m.template !== "alert-subscription-confirm");
    expect(alerts).toHaveLength(1);
    expect(alerts[0].text).toContain("/alerts/unsubscribe?token=");
    // Members' copies carry no unsubscribe link (they manage the automation instead).
    expect((await mailTo(w.owner.user.email)).at(-1)!.text).not.toContain("/alerts/unsubscribe");

    expect(await unsubscribeAlertAddress(db, tokenFrom(alerts[0]))).toMatchObject({ address: outsider });
    expect((await w.alert()).status).toBe("sent");
    expect((await mailTo(outsider)).filter((m) => m.template !== "alert-subscription-confirm")).toHaveLength(1);
    // An unsubscribed address cannot be confirmed again with the old link.
    expect(await confirmAlertAddress(db, tokenFrom(asked[0]))).toBeNull();
  });

  it("an address saved before confirmations existed (never asked) is asked when its action first fires, once, and gets no alert until it confirms", async () => {
    const outsider = uniqueEmail("older");
    const w = await workspaceAlerting({ addresses: [outsider], roles: ["owner"] });
    // As an automation saved by an older version left it: the address listed, no subscription, no mail.
    await db.$client.query("delete from alert_email_subscriptions where workspace_id = $1", [w.ws.id]);
    await db.$client.query(`delete from email_messages where lower("to") = lower($1)`, [outsider]);

    expect((await w.alert()).status).toBe("sent");
    expect((await mailTo(outsider)).map((m) => m.template)).toEqual(["alert-subscription-confirm"]);
    expect((await w.alert()).status).toBe("sent");
    expect((await mailTo(outsider)).map((m) => m.template)).toEqual(["alert-subscription-confirm"]);
    expect((await w.owner.caller.automations.get({ workspace: w.ws.slug, automationId: w.automation.id })).destinations[0].addressStatuses).toEqual([{ address: outsider, status: "waiting" }]);
  });

  it("members get alert mail only with a verified address", async () => {
    const w = await workspaceAlerting({ roles: ["developer"] });
    const unverified = await createUser(db, { verified: false });
    await addMember(db, w.ws.id, w.owner.user.id, unverified.user, "developer");
    await unverify(unverified.user.id);
    const delivery = await w.alert();
    expect(delivery.status).toBe("failed");
    expect(delivery.last_error).toMatch(/no verified email address/);
    expect((await mailTo(unverified.user.email)).filter((m) => m.template.startsWith("alert-"))).toEqual([]);
  });
});
