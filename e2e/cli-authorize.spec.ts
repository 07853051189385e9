import { expect, test } from "@playwright/test";
import { authorizeCliLogin, createWorkspace, PASSWORD, pollCliLogin, signUp, startCliLogin, uniqueEmail } from "./helpers";

test("a signed-out person opens the CLI's page, signs in, types the code, sees where the login started, picks the role; the CLI's poll gets a key with that role", async ({ browser, request }) => {
  const email = uniqueEmail("cli");
  const setup = await browser.newContext();
  const setupPage = await setup.newPage();
  await signUp(setupPage, email);
  const slug = await createWorkspace(setupPage, "CLI Approvals");
  const otherSlug = await createWorkspace(setupPage, "Second Team");
  await setup.close();

  const login = await startCliLogin(request, "CLI on e2e-laptop");
  expect(login.verificationUriComplete).toBe(login.verificationUri);
  expect((await pollCliLogin(request, login.deviceCode)).json.error.code).toBe("authorization_pending");

  // Signed out: sent to sign in, and back to the page.
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(login.verificationUri);
  await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/cli\/authorize$/);
  await expect(page.getByRole("heading", { name: "Authorize the Baton CLI" })).toBeVisible();
  await expect(page.getByLabel("Code")).toHaveValue("");
  await expect(page.getByRole("button", { name: "Approve" })).toBeDisabled();

  await page.getByLabel("Code").fill(login.userCode.toLowerCase());
  const workspace = page.getByLabel("Workspace");
  await expect(workspace.getByRole("option")).toHaveText(["CLI Approvals (owner)", "Second Team (owner)"]);
  await workspace.selectOption(otherSlug);
  await workspace.selectOption(slug);
  const request_ = page.getByLabel("Login request");
  await expect(request_).toContainText(/Started (just now|\d+ seconds? ago) from \S+ with Playwright/);
  await expect(request_).toContainText("The computer calls itself “CLI on e2e-laptop” (its own words).");

  // Developer is offered first, even to an owner: what `baton deploy` needs, no more.
  const role = page.getByLabel("Key role");
  await expect(role).toHaveValue("developer");
  await expect(role.getByRole("option")).toHaveCount(5);
  await expect(page.getByText("Approving creates an API key named “CLI on e2e-laptop” with the developer role in CLI Approvals.")).toBeVisible();
  await role.selectOption("runner");
  await expect(page.getByText("with the runner role in CLI Approvals")).toBeVisible();
  await page.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByText("Approved. You can close this tab and return to your terminal.")).toBeVisible();

  const token = await pollCliLogin(request, login.deviceCode);
  expect(token.status).toBe(200);
  expect(token.json).toMatchObject({ keyName: "CLI on e2e-laptop", role: "runner", workspace: { slug, name: "CLI Approvals" }, user: { email } });
  const me = await request.get("/api/v1/me", { headers: { authorization: `Bearer ${token.json.key}` } });
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ workspace: { slug }, key: { name: "CLI on e2e-laptop", role: "runner" } });
  expect((await pollCliLogin(request, login.deviceCode)).json.error.code).toBe("expired_token");

  // The key is listed in Settings like any other.
  await page.getByRole("link", { name: "Settings → API keys" }).click();
  await expect(page.getByRole("table", { name: "API keys" }).getByText("CLI on e2e-laptop")).toBeVisible();
  await ctx.close();
});

test("a phishing link with the code in it fills in nothing: the person still has to type the code", async ({ browser, request }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signUp(page, uniqueEmail("cli-phish"));
  await createWorkspace(page, "Phish Team");
  const login = await startCliLogin(request, "Baton security check — approve to keep access");

  await page.goto(`/cli/authorize?code=${login.userCode}`);
  await expect(page.getByRole("heading", { name: "Authorize the Baton CLI" })).toBeVisible();
  await expect(page.getByLabel("Code")).toHaveValue("");
  await expect(page.getByRole("button", { name: "Approve" })).toBeDisabled();
  await expect(page.getByLabel("Login request")).toHaveCount(0);
  expect((await pollCliLogin(request, login.deviceCode)).json.error.code).toBe("authorization_pending");
  await ctx.close();
});

test("a wrong code shows an error and keeps what was typed; Deny gives the CLI access_denied", async ({ browser, request }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signUp(page, uniqueEmail("cli-deny"));
  const slug = await createWorkspace(page, "Deny Team");
  const login = await startCliLogin(request, "CLI on someone-elses-box");

  await page.goto("/cli/authorize");
  const code = page.getByLabel("Code");
  await expect(code).toHaveValue("");
  const wrong = login.userCode === "BBBB-BBBB" ? "CCCC-CCCC" : "BBBB-BBBB";
  await code.fill(wrong);
  await expect(page.getByRole("alert").and(page.locator(":not(#__next-route-announcer__)"))).toContainText(`No login request has the code ${wrong}`);
  await expect(page.getByRole("button", { name: "Approve" })).toBeDisabled();
  await expect(code).toHaveValue(wrong);

  await authorizeCliLogin(page, { userCode: login.userCode, workspace: slug, decision: "Deny" });
  const denied = await pollCliLogin(request, login.deviceCode);
  expect(denied.status).toBe(400);
  expect(denied.json.error.code).toBe("access_denied");
  await ctx.close();
});
