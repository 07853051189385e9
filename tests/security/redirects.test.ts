import { describe, expect, it } from "vitest";
import { startAppForFile } from "../helpers/app-process";
import { signInToApp } from "../helpers/app-sign-in";
import { createTestDatabase } from "../helpers/db";
import { createUser } from "../helpers/fixtures";

const { db, url: databaseUrl } = await createTestDatabase();
const { base } = await startAppForFile({ DATABASE_URL: databaseUrl });
const cookie = await signInToApp(base, (await createUser(db)).user.email);

/** Where a browser goes when it follows the answer: the Location resolved against the page's URL. */
async function followOnce(path: string) {
  const res = await fetch(`${base}${path}`, { headers: { cookie }, redirect: "manual" });
  const location = res.headers.get("location");
  return { status: res.status, target: location === null ? null : new URL(location, `${base}${path}`) };
}

describe("callbackUrl of a signed-in visitor", () => {
  // Raw query strings, as an attacker's link would carry them. %5C is "\", %09 a tab, %0D%0A CRLF.
  const offSite = ["/%5Cevil.example/x", "/%09/evil.example", "//evil.example", "/%0A/evil.example", "https://evil.example", "/%5C/evil.example"];
  for (const page of ["/signin", "/signup"]) {
    for (const callbackUrl of offSite) {
      it(`${page}?callbackUrl=${callbackUrl} stays on this site`, async () => {
        const { status, target } = await followOnce(`${page}?callbackUrl=${callbackUrl}`);
        expect(status).toBeGreaterThanOrEqual(300);
        expect(status).toBeLessThan(400);
        expect(target?.origin).toBe(base);
      });
    }

    it(`${page} with CR LF in callbackUrl answers a redirect on this site, not a 500`, async () => {
      const { status, target } = await followOnce(`${page}?callbackUrl=/w%0D%0ASet-Cookie:%20pwned=1`);
      expect(status).toBeGreaterThanOrEqual(300);
      expect(status).toBeLessThan(400);
      expect(target?.origin).toBe(base);
    });

    it(`${page} still sends a signed-in visitor on to a path of this site`, async () => {
      const { target } = await followOnce(`${page}?callbackUrl=${encodeURIComponent("/onboarding?x=1")}`);
      expect(target?.href).toBe(`${base}/onboarding?x=1`);
    });
  }
});

describe("tRPC and the Origin header", () => {
  it("refuses Origin: null with a JSON 403, not a 500", async () => {
    const res = await fetch(`${base}/api/trpc/workspace.list`, { headers: { cookie, origin: "null", "x-baton-csrf": "1" } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
  });
});
