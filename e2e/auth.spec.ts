import { expect, test } from "@playwright/test";
import { createWorkspace, openMail, PASSWORD, signIn, signUp, uniqueEmail } from "./helpers";

test("sign-out ends the session for real: the old cookie no longer works", async ({ browser }) => {
  const email = uniqueEmail("signout");
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signUp(page, email);
  const slug = await createWorkspace(page, "Signout Check");
  const cookies = await ctx.cookies();
  expect(cookies.some((c) => c.name.includes("authjs.session-token"))).toBe(true);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);

  // Replay the cookie captured before signing out in a fresh browser.
  const replay = await browser.newContext();
  await replay.addCookies(cookies);
  const again = await replay.newPage();
  await again.goto(`/w/${slug}`);
  await expect(again).toHaveURL(/\/signin/);
  const me = await replay.request.get("/api/trpc/account.me", { headers: { "x-baton-csrf": "1" } });
  expect(me.status()).toBe(401);
  await ctx.close();
  await replay.close();
});

test("too many failed sign-ins are refused with the minutes to wait", async ({ page }) => {
  const email = uniqueEmail("limited");
  await signUp(page, email);
  await expect(page).toHaveURL(/\/onboarding/);
  await page.context().clearCookies();
  // Only failures count, per (account, address): ten wrong ones from this browser's address.
  for (let i = 0; i < 10; i++) {
    await signIn(page, email, `wrong password ${i}`);
    await expect(page.getByRole("alert").and(page.locator(":not(#__next-route-announcer__)"))).toContainText("don't match an account");
  }
  await signIn(page, email, PASSWORD);
  await expect(page.getByRole("alert").and(page.locator(":not(#__next-route-announcer__)"))).toContainText(/Too many sign-in attempts\. Try again in \d+ minutes?\./);
  await expect(page).toHaveURL(/\/signin/);
});

test("forgot password: the emailed link sets a new password once and signs out other browsers", async ({ browser }) => {
  const email = uniqueEmail("reset");
  const first = await browser.newContext();
  const firstPage = await first.newPage();
  await signUp(firstPage, email);
  await createWorkspace(firstPage, "Reset Check");

  const second = await browser.newContext();
  const page = await second.newPage();
  await page.goto("/signin");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page.getByRole("heading", { name: "Reset your password" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status")).toContainText("If an account exists for that address");

  await openMail(page, email, /Reset your Baton password/);
  const link = page.getByRole("link", { name: /\/reset-password\?token=/ });
  const resetUrl = (await link.getAttribute("href"))!;
  await link.click();
  await page.getByLabel("New password").fill("a completely new password");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/signin\?reset=1/);
  await expect(page.getByText("Your password was changed")).toBeVisible();

  await signIn(page, email, "a completely new password");
  await expect(page).toHaveURL(/\/w\/reset-check/);

  // The browser that was signed in before the reset is signed out.
  await firstPage.reload();
  await expect(firstPage).toHaveURL(/\/signin/);

  // The link works once.
  await page.goto(resetUrl);
  await page.getByLabel("New password").fill("yet another new password");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByRole("alert").and(page.locator(":not(#__next-route-announcer__)"))).toContainText("invalid, used or expired");
  await first.close();
  await second.close();
});

test("tRPC refuses cross-site requests", async ({ page }) => {
  await signUp(page, uniqueEmail("csrf"));
  await expect(page).toHaveURL(/\/onboarding/);
  const body = { name: "Evil Corp" };
  const noHeader = await page.request.post("/api/trpc/workspaces.create", { data: body });
  expect(noHeader.status()).toBe(403);
  const foreign = await page.request.post("/api/trpc/workspaces.create", { data: body, headers: { "x-baton-csrf": "1", origin: "https://evil.example" } });
  expect(foreign.status()).toBe(403);
  const ok = await page.request.post("/api/trpc/workspaces.create", { data: body, headers: { "x-baton-csrf": "1" } });
  expect(ok.status()).toBe(200);
});
