import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { templateNames, templates } from "@/emails";
import type { Db } from "@/server/db/client";
import { emailMessages } from "@/server/db/schema";
import { deliverDueEmails } from "@/server/email/deliver-emails";
import { linksInHtml } from "@/server/email/mailbox";
import { renderEmail } from "@/server/email/render-email";
import { sendEmail } from "@/server/email/send-email";
import { reloadEnv } from "@/server/env";
import { createTestDatabase } from "./helpers/db";
import { start, type RecordingServer } from "./helpers/recording-server";

let db: Db;
let resend: RecordingServer | undefined;
const FROM = "Baton <mail@baton.test>";

beforeAll(async () => {
  ({ db } = await createTestDatabase());
});

afterEach(async () => {
  await resend?.close();
  resend = undefined;
  delete process.env.RESEND_API_KEY;
  delete process.env.RESEND_BASE_URL;
  reloadEnv();
});

/** A local stand-in for api.resend.com, and the env that points the real SDK at it. */
async function startResend(): Promise<RecordingServer> {
  resend = await start(() => ({ status: 200, body: { id: `re_${randomUUID()}` } }));
  process.env.RESEND_API_KEY = "re_test_key";
  process.env.RESEND_BASE_URL = resend.url;
  process.env.EMAIL_FROM = FROM;
  reloadEnv();
  return resend;
}

function recipient(): string {
  return `${randomUUID()}@example.com`;
}

async function row(id: string) {
  const [r] = await db.select().from(emailMessages).where(eq(emailMessages.id, id));
  return r;
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function requestsFor(server: RecordingServer, id: string) {
  return server.requests.filter((r) => r.headers["idempotency-key"] === id);
}

describe("sendEmail without RESEND_API_KEY", () => {
  it("keeps the rendered message for the dev mailbox", async () => {
    const to = recipient();
    const url = "http://localhost:3000/verify-email?token=abc123&next=%2Fapp";
    const id = await sendEmail(db, { to, template: "verify-email", props: { name: "Ada", url } });

    const kept = await row(id);
    expect(kept).toMatchObject({ status: "kept", to, template: "verify-email", attempts: 0, workspaceId: null });
    expect(kept.subject).toBe("Confirm your email address for Baton");
    expect(kept.html).toContain("Hi Ada,");
    expect(linksInHtml(kept.html)).toContain(url);
    expect(kept.text).toContain(url);
    expect(kept.text).toContain("ignore this email");
  });

  it("refuses an address that is not one", async () => {
    await expect(
      sendEmail(db, { to: "not-an-address", template: "verify-email", props: { url: "http://localhost:3000/v" } }),
    ).rejects.toThrow(/not an email address/);
  });
});

describe("delivery through Resend", () => {
  it("sends a queued message once, with the row id as idempotency key", async () => {
    const server = await startResend();
    const to = recipient();
    const id = await sendEmail(db, {
      to,
      template: "reset-password",
      props: { url: "http://localhost:3000/reset-password?token=xyz", expiresInMinutes: 30 },
    });

    const sent = await eventually(() => row(id), (r) => r.status === "sent");
    const req = await server.waitForRequest((r) => r.headers["idempotency-key"] === id);
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/emails");
    expect(req.headers.authorization).toBe("Bearer re_test_key");
    expect(req.body).toMatchObject({ from: FROM, to, subject: sent.subject, html: sent.html, text: sent.text });
    expect(sent.text).toContain("http://localhost:3000/reset-password?token=xyz");
    expect(sent.text).toContain("30 minutes");
    expect(sent.attempts).toBe(1);
    expect(sent.providerId).toMatch(/^re_/);
    expect(sent.sentAt).toBeInstanceOf(Date);
    expect(server.requests).toHaveLength(1);

    expect(await deliverDueEmails(db)).toEqual({ sent: 0, retry: 0, failed: 0 });
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    { status: 500, name: "internal_server_error", minDelayS: 25, maxDelayS: 35 },
    { status: 429, name: "rate_limit_exceeded", retryAfter: "120", minDelayS: 110, maxDelayS: 130 },
  ])("retries after a $status later and then sends once", async ({ status, name, retryAfter, minDelayS, maxDelayS }) => {
    const server = await startResend();
    server.respond(() => ({
      status,
      headers: retryAfter ? { "retry-after": retryAfter } : undefined,
      body: { statusCode: status, name, message: "Try again later." },
    }));
    const id = await sendEmail(db, { to: recipient(), template: "verify-email", props: { url: "http://localhost:3000/v?t=1" } });

    const failed = await eventually(() => row(id), (r) => r.lastError !== null);
    expect(failed).toMatchObject({ status: "queued", attempts: 1 });
    expect(failed.lastError).toContain(name);
    const delayS = (failed.nextAttemptAt.getTime() - Date.now()) / 1000;
    expect(delayS).toBeGreaterThan(minDelayS);
    expect(delayS).toBeLessThan(maxDelayS);

    server.respond(() => ({ status: 200, body: { id: "re_second_try" } }));
    await deliverDueEmails(db);
    expect(requestsFor(server, id)).toHaveLength(1); // not due yet

    // Let the backoff pass.
    await db.update(emailMessages).set({ nextAttemptAt: sql`now()` }).where(eq(emailMessages.id, id));
    await deliverDueEmails(db);
    expect(await row(id)).toMatchObject({ status: "sent", attempts: 2, providerId: "re_second_try", lastError: null });
    await deliverDueEmails(db);
    expect(requestsFor(server, id)).toHaveLength(2);
  });

  it("fails at once when Resend rejects the message itself", async () => {
    const server = await startResend();
    server.respond(() => ({ status: 422, body: { statusCode: 422, name: "validation_error", message: "Invalid `to` field." } }));
    const id = await sendEmail(db, { to: recipient(), template: "verify-email", props: { url: "http://localhost:3000/v" } });
    const failed = await eventually(() => row(id), (r) => r.status !== "queued");
    expect(failed).toMatchObject({ status: "failed", attempts: 1 });
    expect(failed.lastError).toContain("Invalid `to` field.");
  });

  it("gives up after the 8th failed attempt", async () => {
    const server = await startResend();
    server.respond(() => ({ status: 503, body: { statusCode: 503, name: "application_error", message: "Unavailable" } }));
    const id = await sendEmail(db, { to: recipient(), template: "verify-email", props: { url: "http://localhost:3000/v" } });
    await eventually(() => row(id), (r) => r.lastError !== null);

    await db.update(emailMessages).set({ attempts: 7, nextAttemptAt: sql`now()` }).where(eq(emailMessages.id, id));
    await deliverDueEmails(db);
    expect(await row(id)).toMatchObject({ status: "failed", attempts: 8 });
  });

  it("sends each due message once when two senders run at the same time", async () => {
    const server = await startResend();
    server.respond(async () => {
      await new Promise((r) => setTimeout(r, 30));
      return { status: 200, body: { id: `re_${randomUUID()}` } };
    });
    const rendered = await renderEmail("verify-email", { url: "http://localhost:3000/v" });
    const rows = await db
      .insert(emailMessages)
      .values(Array.from({ length: 6 }, () => ({ template: "verify-email", to: recipient(), ...rendered, status: "queued" as const })))
      .returning({ id: emailMessages.id });

    await Promise.all([deliverDueEmails(db, { limit: 4 }), deliverDueEmails(db, { limit: 4 }), deliverDueEmails(db, { limit: 4 })]);
    for (const { id } of rows) {
      expect(requestsFor(server, id)).toHaveLength(1);
      expect((await row(id)).status).toBe("sent");
    }
  });
});

describe("templates", () => {
  it.each(templateNames)("%s renders its preview props", async (name) => {
    const props = templates[name].previewProps;
    const email = await renderEmail(name, props as never);
    expect(email.subject.length).toBeGreaterThan(0);
    expect(linksInHtml(email.html)).toContain(props.url);
    expect(email.text).toContain(props.url);
    expect(email.text).toMatch(/ignore this email/);
  });

  it("puts the invitation's details in subject and body", async () => {
    const email = await renderEmail("invitation", templates.invitation.previewProps);
    expect(email.subject).toBe("Grace Hopper invited you to Acme Data on Baton");
    expect(email.text).toContain("developer");
    expect(email.text).toContain("7 days");
  });

  it.each([
    ["verify-email", { url: "javascript:alert(1)" }],
    ["verify-email", { name: "Ada\r\nBcc: x@example.com", url: "http://localhost:3000/v" }],
    ["reset-password", { url: "http://localhost:3000/r", expiresInMinutes: -5 }],
    ["invitation", { inviterName: "Grace", url: "http://localhost:3000/i" }],
  ] as const)("%s rejects bad props %j", async (name, props) => {
    await expect(renderEmail(name, props as never)).rejects.toThrow(`Invalid props for email template "${name}"`);
  });
});
