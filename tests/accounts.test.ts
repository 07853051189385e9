import { and, desc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { emailMessages, oneTimeTokens, userSessions, users } from "../server/db/schema";
import { signUp } from "../server/accounts/sign-up";
import { verifyEmail } from "../server/accounts/verify-email";
import { requestPasswordReset, resetPassword } from "../server/accounts/password-reset";
import { verifyCredentials } from "../server/accounts/verify-credentials";
import { activeSessionUser, createUserSession } from "../server/auth/user-sessions";
import { createTestDatabase } from "./helpers/db";
import { createUser, PASSWORD, uniqueEmail } from "./helpers/fixtures";
import { waitFor } from "./helpers/app-process";

const { db } = await createTestDatabase();

async function lastMailTo(to: string) {
  const [m] = await db.select().from(emailMessages).where(eq(emailMessages.to, to)).orderBy(desc(emailMessages.createdAt)).limit(1);
  return m;
}

function tokenFrom(text: string, path: string) {
  const match = new RegExp(`${path}\\S*?token=([A-Za-z0-9_%-]+)`).exec(text);
  if (!match) throw new Error(`no ${path} link in: ${text}`);
  return decodeURIComponent(match[1]);
}

describe("sign-up and email verification", () => {
  it("sends a verification mail whose link verifies the address once", async () => {
    const email = uniqueEmail("Signup").toUpperCase();
    expect(await signUp(db, { email, password: PASSWORD, name: "Ada" }, "10.0.0.1")).toEqual({ email: email.toLowerCase() });
    const [user] = await db.select().from(users).where(eq(users.email, email.toLowerCase()));
    const mail = await lastMailTo(user.email);
    expect(mail).toMatchObject({ template: "verify-email", status: "kept" });
    const token = tokenFrom(mail.text, "/verify-email");
    expect(await verifyEmail(db, token)).toBe(user.email);
    const [row] = await db.select().from(users).where(eq(users.id, user.id));
    expect(row.emailVerifiedAt).not.toBeNull();
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyEmail(db, token)).toBeNull();
  });

  it("makes no second account for the same address, and refuses weak passwords and bad emails", async () => {
    const email = uniqueEmail();
    await signUp(db, { email, password: PASSWORD }, "10.0.0.2");
    await expect(signUp(db, { email, password: "another password" }, "10.0.0.2")).resolves.toEqual({ email });
    expect(await db.select().from(users).where(eq(users.email, email))).toHaveLength(1);
    expect(await lastMailTo(email)).toMatchObject({ template: "signup-existing-account" });
    await expect(signUp(db, { email: uniqueEmail(), password: "short" }, "10.0.0.2")).rejects.toThrow(/at least 10/);
    await expect(signUp(db, { email: "not-an-email", password: PASSWORD }, "10.0.0.2")).rejects.toThrow(/valid email/);
  });

  it("limits sign-ups per IP", async () => {
    for (let i = 0; i < 10; i++) await signUp(db, { email: uniqueEmail(), password: PASSWORD }, "10.9.9.9");
    await expect(signUp(db, { email: uniqueEmail(), password: PASSWORD }, "10.9.9.9")).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringMatching(/Try again in \d+ minutes?/),
    });
  });
});

describe("sign-in rate limit", () => {
  it("refuses even the right password from an address after its 10 failures on the account in 15 minutes", async () => {
    const { user } = await createUser(db);
    expect((await verifyCredentials(db, user.email, PASSWORD, "10.1.0.1")).ok).toBe(true);
    for (let i = 0; i < 10; i++) expect(await verifyCredentials(db, user.email, "wrong password!", "10.1.0.1")).toEqual({ ok: false, reason: "invalid" });
    const limited = await verifyCredentials(db, user.email, PASSWORD, "10.1.0.1");
    expect(limited).toMatchObject({ ok: false, reason: "rate_limited" });
    expect((limited as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    expect((limited as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
  });

  it("limits one IP across many accounts", async () => {
    const ip = "10.2.0.1";
    for (let i = 0; i < 30; i++) await verifyCredentials(db, uniqueEmail(), "whatever-password", ip);
    const { user } = await createUser(db);
    expect(await verifyCredentials(db, user.email, PASSWORD, ip)).toMatchObject({ reason: "rate_limited" });
    expect((await verifyCredentials(db, user.email, PASSWORD, "10.2.0.2")).ok).toBe(true);
  });

  it("counts only failed attempts against an IP: an office behind one address signs in all morning", async () => {
    const ip = "10.4.0.1";
    for (let i = 0; i < 40; i++) {
      const { user } = await createUser(db);
      expect((await verifyCredentials(db, user.email, PASSWORD, ip)).ok).toBe(true);
    }
  });
});

describe("password reset", () => {
  it("mails a single-use link; using it sets the password and ends every session", async () => {
    const { user, sessionId } = await createUser(db);
    const other = await createUserSession(db, user.id, {});
    await requestPasswordReset(db, user.email, "10.3.0.1");
    const mail = await waitFor(() => lastMailTo(user.email), { timeoutMs: 10_000, what: "the reset mail" });
    expect(mail.template).toBe("reset-password");
    const token = tokenFrom(mail.text, "/reset-password");

    await resetPassword(db, token, "a brand new password");
    expect(await activeSessionUser(db, sessionId)).toBeNull();
    expect(await activeSessionUser(db, other)).toBeNull();
    expect((await verifyCredentials(db, user.email, "a brand new password", "10.3.0.2")).ok).toBe(true);
    expect((await verifyCredentials(db, user.email, PASSWORD, "10.3.0.3")).ok).toBe(false);
    await expect(resetPassword(db, token, "another new password")).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("refuses a link older than one hour", async () => {
    const { user } = await createUser(db);
    await requestPasswordReset(db, user.email, "10.4.0.1");
    const token = tokenFrom((await waitFor(() => lastMailTo(user.email), { timeoutMs: 10_000, what: "the reset mail" })).text, "/reset-password");
    await db
      .update(oneTimeTokens)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(and(eq(oneTimeTokens.userId, user.id), eq(oneTimeTokens.purpose, "reset_password")));
    await expect(resetPassword(db, token, "a brand new password")).rejects.toThrow(/invalid, used or expired/);
    const [row] = await db.select().from(oneTimeTokens).where(eq(oneTimeTokens.userId, user.id));
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeLessThanOrEqual(3600_000);
  });

  it("answers the same for unknown addresses and sends nothing", async () => {
    const email = uniqueEmail("nobody");
    await expect(requestPasswordReset(db, email, "10.5.0.1")).resolves.toBeUndefined();
    expect(await lastMailTo(email)).toBeUndefined();
  });

  it("changing the password keeps this session and ends the others", async () => {
    const { user, sessionId, caller } = await createUser(db);
    const other = await createUserSession(db, user.id, {});
    await caller.account.changePassword({ currentPassword: PASSWORD, newPassword: "another long password" });
    expect(await activeSessionUser(db, sessionId)).toBe(user.id);
    expect(await activeSessionUser(db, other)).toBeNull();
    await expect(caller.account.changePassword({ currentPassword: "wrong one!!", newPassword: "whatever long" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const sessions = await db.select().from(userSessions).where(eq(userSessions.userId, user.id));
    expect(sessions).toHaveLength(2);
  });
});
