import { randomBytes } from "node:crypto";
import { expect, type APIRequestContext, type Browser, type Page } from "@playwright/test";

export const PASSWORD = "correct horse battery";

export function uniqueEmail(tag: string) {
  return `${tag}-${randomBytes(4).toString("hex")}@example.com`;
}

export async function signUp(page: Page, email: string, name = "Test Person") {
  await page.goto("/signup");
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await submitSignUpAndSignIn(page, email);
}

/**
 * On a filled sign-up form: creates the account, then signs in from the confirmation message (sign-up
 * itself signs nobody in, so it answers the same for addresses that already have an account).
 */
export async function submitSignUpAndSignIn(page: Page, email: string, password = PASSWORD) {
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("status")).toContainText(`We sent a message to ${email}`);
  await page.getByRole("link", { name: "Continue to sign in" }).click();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/signin/);
}

export async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Opens the newest mail to `to` whose subject matches, in the dev mailbox, as a person would. */
export async function openMail(page: Page, to: string, subject: RegExp) {
  const row = page.getByRole("row").filter({ hasText: to }).filter({ hasText: subject }).first();
  // Some mail (a reset link) is stored just after the form answers: reload until it is there.
  await expect(async () => {
    await page.goto("/dev/mailbox");
    await expect(row).toBeVisible({ timeout: 1000 });
  }).toPass();
  await row.getByRole("link").first().click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(subject);
}

export async function createWorkspace(page: Page, name: string) {
  await page.goto("/onboarding");
  await page.getByLabel("Workspace name").fill(name);
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page).toHaveURL(/\/w\/[a-z0-9-]+$/);
  return new URL(page.url()).pathname.split("/")[2];
}

/** Starts a `baton login` as the CLI does: a plain, unauthenticated POST. */
export async function startCliLogin(request: APIRequestContext, clientName = "CLI on e2e-laptop") {
  const res = await request.post("/api/v1/auth/device", { data: { clientName } });
  expect(res.status()).toBe(200);
  return (await res.json()) as { deviceCode: string; userCode: string; verificationUri: string; verificationUriComplete: string; expiresIn: number; interval: number };
}

/** One poll of the token endpoint, as the CLI makes it. */
export async function pollCliLogin(request: APIRequestContext, deviceCode: string) {
  const res = await request.post("/api/v1/auth/device/token", { data: { deviceCode } });
  return { status: res.status(), json: await res.json() };
}

/**
 * On a signed-in page, approves (or denies) a `baton login` code into a workspace as a person
 * would: opens /cli/authorize (or `url`, the address the CLI printed), types the code the
 * terminal shows, picks the workspace by slug and the key's role (default: as offered) and
 * presses the button.
 */
export async function authorizeCliLogin(page: Page, opts: { userCode: string; workspace: string; url?: string; role?: string; decision?: "Approve" | "Deny" }) {
  await page.goto(opts.url ?? "/cli/authorize");
  await expect(page.getByRole("heading", { name: "Authorize the Baton CLI" })).toBeVisible();
  await page.getByLabel("Code").fill(opts.userCode);
  await page.getByLabel("Workspace").selectOption(opts.workspace);
  if (opts.role) await page.getByLabel("Key role").selectOption(opts.role);
  await expect(page.getByLabel("Login request")).toContainText("Started");
  await page.getByRole("button", { name: opts.decision ?? "Approve" }).click();
  await expect(page.getByText(opts.decision === "Deny" ? "Denied. The CLI gets no access." : "Approved. You can close this tab and return to your terminal.")).toBeVisible();
}

/**
 * The owner on `page` invites `email` with `role` in Settings → Members; the invitee opens the
 * mail in a new browser context, creates an account from it and joins. Returns the invitee's page.
 */
export async function inviteAndJoin(page: Page, browser: Browser, opts: { slug: string; workspaceName: string; email: string; role: string }) {
  await page.goto(`/w/${opts.slug}/settings/members`);
  await page.getByLabel("Email").fill(opts.email);
  await page.getByLabel("Role", { exact: true }).selectOption(opts.role);
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText(`Invitation sent to ${opts.email}.`)).toBeVisible();
  const invitee = await (await browser.newContext()).newPage();
  await openMail(invitee, opts.email, new RegExp(`invited you to ${opts.workspaceName}`));
  await invitee.getByRole("link", { name: /\/invite\// }).click();
  await invitee.getByRole("link", { name: "Create an account to join" }).click();
  await invitee.getByLabel("Password").fill(PASSWORD);
  await submitSignUpAndSignIn(invitee, opts.email);
  await invitee.getByRole("button", { name: "Accept invitation" }).click();
  await expect(invitee.getByRole("banner").getByText(`Your role: ${opts.role}`)).toBeVisible();
  return invitee;
}

