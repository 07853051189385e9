import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { BASE_URL } from "../playwright.config";
import { createWorkspace, signUp, uniqueEmail } from "./helpers";

test("the dashboard: an empty state first, then runs by state, the failure and its message, agents online", async ({ page, request }) => {
  await signUp(page, uniqueEmail("dash"));
  const slug = await createWorkspace(page, "Dashboard Team");
  await page.goto(`/w/${slug}`);
  await expect(page.getByRole("heading", { name: "Nothing has run here yet" })).toBeVisible();
  const steps = page.getByRole("list", { name: "Getting started" }).getByRole("listitem");
  await expect(steps).toHaveCount(4);
  await expect(steps.nth(0)).toContainText(`npx baton login --url ${BASE_URL}`);
  await expect(steps.nth(0)).toContainText("(to do)");

  await page.goto(`/w/${slug}/settings/api-keys`);
  await page.getByLabel("Name").fill("dashboard");
  await page.getByLabel("Role").selectOption("developer");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.getByLabel("New API key").inputValue();
  await page.goto(`/w/${slug}`);
  await expect(page.getByRole("list", { name: "Getting started" }).getByRole("listitem").nth(0)).toContainText("(done)");
  const headers = { authorization: `Bearer ${key}` };
  const deploy = async (name: string, command: string) =>
    (await (await request.put("/api/v1/deployments", { headers, data: { flowName: "nightly-etl", name, kind: "command", command } })).json()).deployment.id as string;
  const ok = await deploy("ok", "echo fine");
  const broken = await deploy("broken", "echo 'loading table sales' && exit 3");
  await request.post(`/api/v1/deployments/${ok}/runs`, { headers, data: {} });
  const failed = (await (await request.post(`/api/v1/deployments/${broken}/runs`, { headers, data: {} })).json()).run.id as string;

  const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: fs.mkdtempSync(path.join(os.tmpdir(), "dash-")), BATON_API_URL: BASE_URL, BATON_API_KEY: key };
  const agent = spawn(process.execPath, [path.resolve("agent/bin/baton.js"), "agent", "start", "--workdir", os.tmpdir(), "--name", "dash-agent"], { env, stdio: "ignore" });
  try {
    await expect
      .poll(async () => (await (await request.get(`/api/v1/flow-runs/${failed}`, { headers })).json()).state.type, { timeout: 30_000 })
      .toBe("FAILED");
    await page.goto(`/w/${slug}`);
    await expect(page.getByRole("link", { name: /Failed, last 24 h\s*1/ })).toBeVisible();
    await expect(page.getByRole("link", { name: /Agents online\s*1\s*of 1/ })).toBeVisible();
    const failures = page.getByRole("list", { name: "Recent failures" });
    await expect(failures.getByText("nightly-etl/broken")).toBeVisible();
    await expect(failures.getByText("The command exited with code 3")).toBeVisible();
    await expect(page.getByRole("img", { name: "Runs per hour, last 24 hours: 2 runs" })).toBeVisible();
    await page.screenshot({ path: "docs/screenshots/dashboard.png", fullPage: true });
    await failures.getByRole("link").first().click();
    await expect(page).toHaveURL(new RegExp(`/w/${slug}/runs/${failed}$`));
  } finally {
    agent.kill("SIGTERM");
  }
});
