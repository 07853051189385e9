import { expect, test } from "@playwright/test";
import { createWorkspace, signUp, uniqueEmail } from "./helpers";

test("an owner creates a service account's agent key in Settings → API keys; it is listed with a badge and acts as the service account", async ({ page }) => {
  const email = uniqueEmail("owner");
  await signUp(page, email);
  const slug = await createWorkspace(page, "Service Accounts");
  await page.goto(`/w/${slug}/settings/api-keys`);

  await page.getByLabel("Name").fill("gpu agents");
  await page.getByLabel("Role").selectOption("agent");
  await page.getByLabel("Service account").check();
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByText("Copy this key now. You won't see it again.")).toBeVisible();
  const key = await page.getByLabel("New API key").inputValue();

  const me = await page.request.get("/api/v1/me", { headers: { authorization: `Bearer ${key}` } });
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ key: { name: "gpu agents", role: "agent", kind: "service_account" }, user: null });

  await page.getByRole("button", { name: "Done" }).click();
  const row = page.getByRole("table", { name: "API keys" }).getByRole("row").filter({ hasText: "gpu agents" });
  await expect(row.getByText("service account")).toBeVisible();
  await expect(row.getByText(email)).toBeVisible();
});
