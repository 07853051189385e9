import { describe, expect, it } from "vitest";
import { startApp, startAppForFile, waitHealthy } from "../helpers/app-process";
import { createTestDatabase } from "../helpers/db";
import { freePort } from "../helpers/free-port";
import { answerBeforeBody, peakRssBytes, uploadUntilAnswered } from "../helpers/large-upload";

const MiB = 1024 * 1024;
// Big enough that reading it would show in the server's memory, small enough not to hurt the
// machine when the fix is missing (the review saw 300 MiB take the server from 235 to 1,124 MiB).
const BODY = 96 * MiB;

const { url: databaseUrl } = await createTestDatabase();
// No STRIPE_SECRET_KEY: billing is off, so its webhook route is off.
const app = await startAppForFile({ DATABASE_URL: databaseUrl });

describe("request bodies in front of Next", () => {
  it("answers oversized uploads to Auth.js with a JSON 413 before they are sent, by Content-Length and chunked, without growing the server's memory", { timeout: 120_000 }, async () => {
    // Warm the route up first, so its first compile and load does not count as the upload's memory.
    await fetch(`${app.url}/api/auth/csrf`);
    const before = peakRssBytes(app.child.pid!);
    const answers = await Promise.all([
      uploadUntilAnswered(`${app.url}/api/auth/callback/credentials`, BODY),
      uploadUntilAnswered(`${app.url}/api/auth/callback/credentials`, BODY),
      uploadUntilAnswered(`${app.url}/api/auth/callback/credentials`, BODY, { chunked: true }),
      uploadUntilAnswered(`${app.url}/api/auth/signin`, BODY, { chunked: true }),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(413);
      expect(answer.json).toMatchObject({ error: { code: "payload_too_large", message: expect.stringContaining("1 MiB") } });
      expect(answer.sentBytes).toBeLessThan(BODY);
    }
    expect(peakRssBytes(app.child.pid!) - before).toBeLessThan(48 * MiB);
  });

  it("answers the Stripe webhook with 404 before reading the body while billing is off", { timeout: 60_000 }, async () => {
    // The body is declared whole but only its first MiB is sent: the 404 comes without the rest.
    const answer = await answerBeforeBody(`${app.url}/api/stripe/webhook`, BODY, { "content-type": "application/json" });
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ error: { code: "not_found" } });
  });

  it("still hands a small chunked body to Next whole", async () => {
    const csrf = await fetch(`${app.url}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const body = new URLSearchParams({ csrfToken, email: "nobody@example.com", password: "wrong password here", callbackUrl: app.url }).toString();
    // A streamed body has no Content-Length: fetch sends it chunked.
    const res = await fetch(`${app.url}/api/auth/callback/credentials`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: new Blob([body]).stream(),
      duplex: "half",
    } as RequestInit);
    // Auth.js read the form (a wrong password sends the visitor back to sign-in), not a 400/413.
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toContain("error=CredentialsSignin");
  });
});

describe("page security headers", () => {
  it("sends a Content-Security-Policy whose script nonce is on every inline script of the page, and no HSTS over http", async () => {
    const res = await fetch(`${app.url}/signin`);
    const policy = res.headers.get("content-security-policy") ?? "";
    const nonce = /script-src [^;]*'nonce-([^']+)'/.exec(policy)?.[1];
    expect(nonce).toBeTruthy();
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("base-uri 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain("'unsafe-inline' 'strict-dynamic'");
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attrs of scripts) expect(attrs).toContain(`nonce="${nonce}"`);
    // A fresh nonce per request.
    const again = (await fetch(`${app.url}/signin`)).headers.get("content-security-policy");
    expect(again).not.toBe(policy);
    expect(res.headers.get("strict-transport-security")).toBeNull();
  });

  it("sends Strict-Transport-Security when the public URL is https", { timeout: 90_000 }, async () => {
    const port = await freePort();
    const secure = startApp({ DATABASE_URL: databaseUrl, BATON_PUBLIC_URL: "https://baton.example" }, port);
    try {
      await waitHealthy(secure);
      const res = await fetch(`${secure.url}/signin`);
      expect(res.headers.get("strict-transport-security")).toMatch(/^max-age=\d{7,}/);
    } finally {
      secure.child.kill("SIGTERM");
      await secure.exited;
    }
  });
});
