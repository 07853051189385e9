import { expect, test } from "@playwright/test";
import { createWorkspace, signUp, uniqueEmail } from "./helpers";

test("secrets and variables pages: create, replace, edit, delete, used by; the deployment page links its env references; a value is never shown", async ({ browser }) => {
  test.setTimeout(120_000);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const email = uniqueEmail("secrets");
  await signUp(page, email);
  const slug = await createWorkspace(page, "Secrets Check");
  const nav = page.getByRole("navigation", { name: "Workspace" });

  await nav.getByRole("link", { name: "Secrets" }).click();
  await expect(page.getByRole("heading", { name: "Secrets", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "No secrets yet" })).toBeVisible();
  const secretForm = page.getByRole("form", { name: "Save a secret" });
  await secretForm.getByLabel("Name").fill("aws-key");
  await secretForm.getByLabel("Value").fill("AKIA-e2e-never-shown");
  await secretForm.getByRole("button", { name: "Save secret" }).click();
  await expect(secretForm.getByRole("status")).toContainText("Secret aws-key saved");
  const secrets = page.getByRole("table", { name: "Secrets" });
  await expect(secrets.getByRole("row", { name: /aws-key/ })).toContainText(email);
  await expect(secretForm.getByLabel("Value")).toHaveValue("");
  await page.getByRole("button", { name: "Replace the value of aws-key" }).click();
  await expect(secretForm.getByLabel("Name")).toHaveValue("aws-key");
  await secretForm.getByLabel("Value").fill("AKIA-e2e-rotated");
  await secretForm.getByRole("button", { name: "Save secret" }).click();
  await expect(secretForm.getByRole("status")).toContainText("Secret aws-key saved");
  await page.reload();
  await expect(secrets.getByRole("row", { name: /aws-key/ })).toBeVisible();
  expect(await page.content()).not.toContain("AKIA-e2e");

  await nav.getByRole("link", { name: "Variables" }).click();
  const variableForm = page.getByRole("form", { name: "Save a variable" });
  await variableForm.getByLabel("Name").fill("regions");
  await variableForm.getByLabel("Value").fill('["eu-west-1"');
  await variableForm.getByLabel(/JSON/).check();
  await variableForm.getByRole("button", { name: "Save variable" }).click();
  await expect(variableForm.getByText(/Not JSON/)).toBeVisible();
  await variableForm.getByLabel("Value").fill('["eu-west-1", "us-east-1"]');
  await variableForm.getByRole("button", { name: "Save variable" }).click();
  const variables = page.getByRole("table", { name: "Variables" });
  await expect(variables.getByRole("row", { name: /regions/ })).toContainText('["eu-west-1","us-east-1"]');
  await variableForm.getByLabel("Name").fill("scratch");
  await variableForm.getByLabel(/JSON/).uncheck();
  await variableForm.getByLabel("Value").fill("temporary");
  await variableForm.getByRole("button", { name: "Save variable" }).click();
  await page.getByRole("button", { name: "Edit variable scratch" }).click();
  await variableForm.getByLabel("Value").fill("edited");
  await variableForm.getByRole("button", { name: "Save variable" }).click();
  await expect(variables.getByRole("row", { name: /scratch/ })).toContainText('"edited"');
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Delete variable scratch" }).click();
  await expect(variables.getByRole("row", { name: /scratch/ })).toHaveCount(0);

  // A deployment that uses both (through the tRPC the UI uses is not needed: the API with a key, as CI would).
  await page.goto(`/w/${slug}/settings/api-keys`);
  await page.getByLabel("Name").fill("deployer");
  await page.getByLabel("Role").selectOption("developer");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.getByLabel("New API key").inputValue();
  await page.getByRole("button", { name: "Done" }).click();
  const put = await ctx.request.put("/api/v1/deployments", {
    headers: { authorization: `Bearer ${key}` },
    data: { flowName: "etl", name: "nightly", kind: "command", command: "true", env: { MODE: "prod", AWS_KEY: "{{ secrets.aws-key }}", REGIONS: "{{ variables.regions }}" } },
  });
  expect(put.status()).toBe(200);
  const deploymentId = (await put.json()).deployment.id as string;

  await page.goto(`/w/${slug}/secrets`);
  await expect(secrets.getByRole("row", { name: /aws-key/ }).getByRole("link", { name: "etl/nightly" })).toBeVisible();
  await page.goto(`/w/${slug}/deployments/${deploymentId}`);
  const envCard = page.getByRole("region", { name: "Environment" }).or(page.locator("section", { has: page.getByRole("heading", { name: "Environment" }) }));
  await expect(envCard.getByText("prod", { exact: true })).toBeVisible();
  await envCard.getByRole("link", { name: "{{ secrets.aws-key }}" }).click();
  await expect(page).toHaveURL(new RegExp(`/w/${slug}/secrets#secret-aws-key$`));
  expect(await page.content()).not.toContain("AKIA-e2e");
  await ctx.close();
});
