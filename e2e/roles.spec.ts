import { expect, test } from "@playwright/test";
import { createWorkspace, openMail, PASSWORD, signUp, submitSignUpAndSignIn, uniqueEmail } from "./helpers";

test("a viewer sees no owner controls, and the server refuses the calls anyway; API keys work end to end", async ({ browser }) => {
  const ownerCtx = await browser.newContext();
  const owner = await ownerCtx.newPage();
  const viewerEmail = uniqueEmail("viewer");
  await signUp(owner, uniqueEmail("owner"));
  const slug = await createWorkspace(owner, "Viewer Check");
  await owner.goto(`/w/${slug}/settings/members`);
  await owner.getByLabel("Email").fill(viewerEmail);
  await owner.getByLabel("Role", { exact: true }).selectOption("viewer");
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByText(`Invitation sent to ${viewerEmail}.`)).toBeVisible();

  // An owner creates a key in the UI; it is shown once and works against /api/v1/me.
  await owner.goto(`/w/${slug}/settings/api-keys`);
  await owner.getByLabel("Name").fill("laptop");
  await owner.getByLabel("Role").selectOption("developer");
  await owner.getByRole("button", { name: "Create key" }).click();
  await expect(owner.getByText("Copy this key now. You won't see it again.")).toBeVisible();
  const key = await owner.getByLabel("New API key").inputValue();
  expect(key).toMatch(/^bt_/);
  const me = await ownerCtx.request.get("/api/v1/me", { headers: { authorization: `Bearer ${key}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).workspace.slug).toBe(slug);
  await owner.getByRole("button", { name: "Done" }).click();
  await expect(owner.getByText(key)).toHaveCount(0);
  owner.once("dialog", (d) => d.accept());
  await owner.getByRole("table", { name: "API keys" }).getByRole("button", { name: "Revoke" }).click();
  await expect(owner.getByRole("heading", { name: "No API keys yet" })).toBeVisible();
  expect((await ownerCtx.request.get("/api/v1/me", { headers: { authorization: `Bearer ${key}` } })).status()).toBe(401);

  const viewerCtx = await browser.newContext();
  const viewer = await viewerCtx.newPage();
  await openMail(viewer, viewerEmail, /invited you to Viewer Check/);
  await viewer.getByRole("link", { name: /\/invite\// }).click();
  await viewer.getByRole("link", { name: "Create an account to join" }).click();
  await viewer.getByLabel("Password").fill(PASSWORD);
  await submitSignUpAndSignIn(viewer, viewerEmail);
  await viewer.getByRole("button", { name: "Accept invitation" }).click();
  await expect(viewer.getByRole("banner").getByText("Your role: viewer")).toBeVisible();

  await viewer.goto(`/w/${slug}/settings/members`);
  await expect(viewer.getByRole("heading", { name: "Members" })).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Send invitation" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Remove" })).toHaveCount(0);
  await viewer.goto(`/w/${slug}/settings/api-keys`);
  await expect(viewer.getByRole("alert").and(viewer.locator(":not(#__next-route-announcer__)"))).toContainText("This needs a developer or higher; you are a viewer");

  // The same calls made directly are refused by the server.
  const headers = { "x-baton-csrf": "1" };
  const invite = await viewerCtx.request.post("/api/trpc/invitations.create", { headers, data: { workspace: slug, email: "x@example.com", role: "owner" } });
  expect(invite.status()).toBe(403);
  const mkKey = await viewerCtx.request.post("/api/trpc/apiKeys.create", { headers, data: { workspace: slug, name: "k", role: "viewer" } });
  expect(mkKey.status()).toBe(403);
  await ownerCtx.close();
  await viewerCtx.close();
});
