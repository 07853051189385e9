import { expect, test } from "@playwright/test";
import { createWorkspace, openMail, signUp, submitSignUpAndSignIn, uniqueEmail } from "./helpers";

test("sign up, verify the address, create a workspace, invite a colleague who joins with their role", async ({ browser }) => {
  const ownerEmail = uniqueEmail("owner");
  const inviteeEmail = uniqueEmail("runner");
  const owner = await browser.newPage();

  await signUp(owner, ownerEmail, "Olivia Owner");
  await expect(owner).toHaveURL(/\/onboarding$/);
  await expect(owner.getByRole("heading", { name: "Name your workspace" })).toBeVisible();

  // The verification mail, opened from the dev mailbox and followed like a person would.
  await openMail(owner, ownerEmail, /Confirm your email address/);
  await owner.getByRole("link", { name: /\/verify-email\?token=/ }).click();
  await expect(owner.getByText(`${ownerEmail} is verified`)).toBeVisible();

  const slug = await createWorkspace(owner, "Forecasting Team");
  expect(slug).toBe("forecasting-team");
  await expect(owner.getByRole("banner").getByText(ownerEmail)).toBeVisible();
  await expect(owner.getByText("Please verify your email address")).toHaveCount(0);
  for (const section of ["Runs", "Flows", "Deployments", "Work pools", "Automations", "Settings"]) {
    await expect(owner.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: section })).toBeVisible();
  }
  await owner.getByRole("link", { name: "Runs" }).click();
  await expect(owner.getByRole("heading", { name: "No runs yet" })).toBeVisible();

  await owner.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Settings" }).click();
  await owner.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Members" }).click();
  await owner.getByLabel("Email").fill(inviteeEmail);
  await owner.getByLabel("Role", { exact: true }).selectOption("runner");
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByText(`Invitation sent to ${inviteeEmail}.`)).toBeVisible();
  await expect(owner.getByRole("table", { name: "Pending invitations" }).getByText(inviteeEmail)).toBeVisible();

  // The second person, in a separate browser context, follows the invitation link.
  const ctx = await browser.newContext();
  const invitee = await ctx.newPage();
  await openMail(invitee, inviteeEmail, /invited you to Forecasting Team/);
  await invitee.getByRole("link", { name: /\/invite\// }).click();
  await expect(invitee.getByRole("heading", { name: "Join Forecasting Team" })).toBeVisible();
  await invitee.getByRole("link", { name: "Create an account to join" }).click();
  await expect(invitee.getByLabel("Email")).toHaveValue(inviteeEmail);
  await invitee.getByLabel("Your name").fill("Ravi Runner");
  await invitee.getByLabel("Password").fill("another strong password");
  await submitSignUpAndSignIn(invitee, inviteeEmail, "another strong password");
  await expect(invitee).toHaveURL(/\/invite\//);
  await invitee.getByRole("button", { name: "Accept invitation" }).click();
  await expect(invitee).toHaveURL(new RegExp(`/w/${slug}$`));
  await expect(invitee.getByRole("banner").getByText("Your role: runner")).toBeVisible();
  // Accepting the emailed link verified the invitee's address too.
  await expect(invitee.getByText("Please verify your email address")).toHaveCount(0);

  // The owner sees the new member with their role, and the event in the audit log.
  await owner.reload();
  await expect(owner.getByLabel(`Role for ${inviteeEmail}`)).toHaveValue("runner");
  await owner.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Audit log" }).click();
  await expect(owner.getByRole("table", { name: "Audit log" }).getByText(inviteeEmail).first()).toBeVisible();
  await ctx.close();
});
