import { and, desc, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { emailMessages, users } from "../../server/db/schema";
import { signUp } from "../../server/accounts/sign-up";
import { requestPasswordReset } from "../../server/accounts/password-reset";
import { verifyCredentials } from "../../server/accounts/verify-credentials";
import { createTestDatabase } from "../helpers/db";
import { createUser, PASSWORD, uniqueEmail } from "../helpers/fixtures";
import { waitFor } from "../helpers/app-process";

const { db } = await createTestDatabase();

let ipCounter = 0;
/** A fresh client address per call, so per-IP limits never decide these tests. */
const freshIp = () => `10.80.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

async function mailsTo(to: string) {
  return db.select().from(emailMessages).where(eq(emailMessages.to, to)).orderBy(desc(emailMessages.createdAt));
}

async function elapsedMs(fn: () => Promise<unknown>) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Runs both paths alternately (so load on the machine hits both alike) and returns their medians.
 * Each measurement starts after the previous call's after-the-answer work (the reset mail) had
 * time to finish, so it measures the answer alone, as an attacker timing one request would.
 */
async function medians(tries: number, a: (i: number) => Promise<unknown>, b: (i: number) => Promise<unknown>) {
  const ta: number[] = [];
  const tb: number[] = [];
  const settle = () => new Promise((r) => setTimeout(r, 150));
  for (let i = 0; i < tries; i++) {
    ta.push(await elapsedMs(() => a(i)));
    await settle();
    tb.push(await elapsedMs(() => b(i)));
    await settle();
  }
  return { a: median(ta), b: median(tb) };
}

function expectClose({ a, b }: { a: number; b: number }) {
  // Within half the slower one, with 25 ms of slack: this machine is shared and its noise is that
  // large. Before the fix a reset for an existing address took 4–5 times as long (40 vs 180 ms).
  expect(Math.abs(a - b), `medians ${a.toFixed(1)} ms and ${b.toFixed(1)} ms`).toBeLessThanOrEqual(Math.max(25, 0.5 * Math.max(a, b)));
}

describe("sign-up does not tell who has an account", () => {
  it("answers an address that has an account exactly as a new one, and mails the account holder instead", async () => {
    const fresh = uniqueEmail("fresh");
    const { user: existing } = await createUser(db);

    const forNew = await signUp(db, { name: "Eve", email: fresh, password: "an attacker password" }, freshIp());
    const forExisting = await signUp(db, { name: "Eve", email: existing.email, password: "an attacker password" }, freshIp());
    expect(forNew).toEqual({ email: fresh });
    expect(forExisting).toEqual({ email: existing.email });

    const [notice] = await mailsTo(existing.email);
    expect(notice).toMatchObject({ template: "signup-existing-account", subject: "Someone tried to create a Baton account with your address" });
    expect(notice.text).toMatch(/\/signin/);
    expect(notice.text).toMatch(/\/forgot-password/);
    // The account is untouched: the owner's password still works, the attacker's does not.
    expect((await verifyCredentials(db, existing.email, PASSWORD, freshIp())).ok).toBe(true);
    expect((await verifyCredentials(db, existing.email, "an attacker password", freshIp())).ok).toBe(false);
    expect(await db.select().from(users).where(eq(users.email, existing.email))).toHaveLength(1);
  });

  it("takes about as long for an address with an account as for a new one", async () => {
    const existing = await Promise.all(Array.from({ length: 9 }, () => createUser(db)));
    await signUp(db, { email: uniqueEmail("warm"), password: PASSWORD }, freshIp());
    const times = await medians(
      9,
      () => signUp(db, { email: uniqueEmail("new"), password: PASSWORD }, freshIp()),
      (i) => signUp(db, { email: existing[i].user.email, password: PASSWORD }, freshIp()),
    );
    expectClose(times);
  });
});

describe("password reset does not tell who has an account", () => {
  it("takes about as long for an address with an account as for an unknown one, and mails only the accounts", async () => {
    const existing = await Promise.all(Array.from({ length: 9 }, () => createUser(db)));
    await requestPasswordReset(db, uniqueEmail("warm"), freshIp());
    const times = await medians(
      9,
      () => requestPasswordReset(db, uniqueEmail("nobody"), freshIp()),
      (i) => requestPasswordReset(db, existing[i].user.email, freshIp()),
    );
    expectClose(times);

    // The mail goes out just after the answer.
    const addresses = existing.map((e) => e.user.email);
    await waitFor(
      async () => {
        const sent = await db.select().from(emailMessages).where(and(inArray(emailMessages.to, addresses), eq(emailMessages.template, "reset-password")));
        return sent.length === addresses.length;
      },
      { timeoutMs: 10_000, what: "the reset links" },
    );
  });
});

describe("sign-in limits do not let a stranger lock the owner out", () => {
  it("a stranger's wrong passwords stop the stranger, not the owner signing in from their own address", async () => {
    const { user } = await createUser(db);
    const stranger = freshIp();
    for (let i = 0; i < 10; i++) expect(await verifyCredentials(db, user.email, `guess number ${i}`, stranger)).toEqual({ ok: false, reason: "invalid" });
    const refused = await verifyCredentials(db, user.email, PASSWORD, stranger);
    expect(refused).toMatchObject({ ok: false, reason: "rate_limited" });
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(15 * 60);

    expect(await verifyCredentials(db, user.email, PASSWORD, freshIp())).toMatchObject({ ok: true, user: { id: user.id } });
  });

  it("parallel guesses from one address cannot slip past the limit", async () => {
    const { user } = await createUser(db);
    const ip = freshIp();
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => verifyCredentials(db, user.email, `parallel guess ${i}`, ip)));
    expect(results.filter((r) => !r.ok && r.reason === "invalid")).toHaveLength(10);
  });

  it("guessing spread over many addresses slows to 3 failures a day per address, while the owner still signs in", async () => {
    const { user } = await createUser(db);
    const botnet = Array.from({ length: 100 }, freshIp);
    for (let i = 0; i < botnet.length; i += 10) {
      await Promise.all(botnet.slice(i, i + 10).map((ip) => verifyCredentials(db, user.email, "spread guess", ip)));
    }

    const repeat = botnet[0];
    expect(await verifyCredentials(db, user.email, "spread guess 2", repeat)).toEqual({ ok: false, reason: "invalid" });
    expect(await verifyCredentials(db, user.email, "spread guess 3", repeat)).toEqual({ ok: false, reason: "invalid" });
    const slowed = await verifyCredentials(db, user.email, PASSWORD, repeat);
    expect(slowed).toMatchObject({ ok: false, reason: "rate_limited" });
    expect((slowed as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);

    expect((await verifyCredentials(db, user.email, PASSWORD, freshIp())).ok).toBe(true);
  }, 180_000);
});
