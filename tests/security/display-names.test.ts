import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { emailMessages, users, workspaces } from "../../server/db/schema";
import { signUp } from "../../server/accounts/sign-up";
import { createTestDatabase } from "../helpers/db";
import { createUser, createWorkspaceWithMembers, PASSWORD, uniqueEmail } from "../helpers/fixtures";

const { db } = await createTestDatabase();

const NAMES_WITH_LINE_BREAKS = ["Acme\nBcc: victim@example.com", "Acme\r\nInc", "Tab\there"];

describe("names with line breaks", () => {
  it("are refused at sign-up, before the account exists: no account is left without its verification mail", async () => {
    for (const name of NAMES_WITH_LINE_BREAKS) {
      const email = uniqueEmail("multiline");
      await expect(signUp(db, { name, email, password: PASSWORD }, "10.60.0.1")).rejects.toThrow(/single line/);
      expect(await db.select().from(users).where(eq(users.email, email))).toEqual([]);
    }
  });

  it("are refused when a workspace is created or renamed, so its invitations still send", async () => {
    const { caller } = await createUser(db);
    for (const name of NAMES_WITH_LINE_BREAKS) {
      await expect(caller.workspaces.create({ name })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/single line/) });
    }

    const { ws, owner } = await createWorkspaceWithMembers(db);
    for (const name of NAMES_WITH_LINE_BREAKS) {
      await expect(owner.caller.workspaces.update({ workspace: ws.slug, name })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    const [row] = await db.select().from(workspaces).where(eq(workspaces.id, ws.id));
    expect(row.name).toBe(ws.name);

    const invitee = uniqueEmail("invitee");
    await owner.caller.invitations.create({ workspace: ws.slug, email: invitee, role: "developer" });
    const mail = await db.select().from(emailMessages).where(eq(emailMessages.to, invitee));
    expect(mail).toHaveLength(1);
    expect(mail[0].subject).toContain(ws.name);
  });

  it("leave ordinary names alone, accents and emoji included", async () => {
    const { caller } = await createUser(db);
    await expect(caller.workspaces.create({ name: "  Équipe données 🚀  " })).resolves.toMatchObject({ name: "Équipe données 🚀" });
    const email = uniqueEmail();
    await signUp(db, { name: "José O’Brien", email, password: PASSWORD }, "10.60.0.2");
    const [user] = await db.select().from(users).where(eq(users.email, email));
    expect(user.name).toBe("José O’Brien");
  });
});
