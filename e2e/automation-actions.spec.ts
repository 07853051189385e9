import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createWorkspace, signUp, uniqueEmail } from "./helpers";
import { batonEnv, cli, createKey, killChildren, runIdOf, startAgent } from "./cli";

test.afterAll(killChildren);

test("a developer chains two pipelines in the automation form; the downstream run says what started it, and the upstream run lists it", async ({ page }) => {
  test.setTimeout(180_000);
  await signUp(page, uniqueEmail("chain-owner"));
  const slug = await createWorkspace(page, "Chain Check");
  const key = await createKey(page, slug, "e2e-chain", "owner");
  const env = batonEnv(key, fs.mkdtempSync(path.join(os.tmpdir(), "baton-e2e-home-")));
  for (const flow of ["ingest", "train"]) {
    const res = await cli(env, ["deploy", "--command", `echo "${flow} for $BATON_PARAM_DATE"`, "--flow", flow, "--name", "daily"]);
    expect(res.code, res.stderr).toBe(0);
  }

  await page.goto(`/w/${slug}/automations/new`);
  await page.getByLabel("Name", { exact: true }).fill("Train after ingest");
  await page.getByRole("checkbox", { name: "Failed" }).uncheck();
  await page.getByRole("checkbox", { name: "Crashed" }).uncheck();
  await page.getByRole("checkbox", { name: "Completed" }).check();
  await page.getByRole("checkbox", { name: "ingest/daily" }).check();
  await page.getByLabel("Or an action that acts").selectOption("run_deployment");
  await page.getByRole("button", { name: "Add action" }).click();
  const action = page.getByRole("region", { name: "Action 1: Run a deployment" });
  // The template is checked in the browser while typing, with the server's words.
  await action.getByLabel("Parameters (a template over the event)").fill('{ "date": "{{ body.date }}" }');
  await expect(action.getByText(/starts with "body", which is not available here/)).toBeVisible();
  await action.getByLabel("Parameters (a template over the event)").fill('{ "date": "{{ run.parameters.date }}" }');
  await expect(action.getByText(/which is not available here/)).toHaveCount(0);
  await page.getByRole("button", { name: "Create automation" }).click();
  await expect(action.getByText("Choose the deployment to run.")).toBeVisible();
  await action.getByLabel("Deployment to run").selectOption({ label: "train/daily" });
  await page.getByRole("button", { name: "Create automation" }).click();
  await expect(page.getByRole("heading", { name: "Train after ingest", level: 1 })).toBeVisible();
  await expect(page.getByText("run train/daily")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Send test to Run a deployment/ })).toHaveCount(0);

  const agent = startAgent(env, ["--limit", "2", "--name", "e2e-chain-agent"]);
  const run = await cli(env, ["run", "ingest/daily", "--param", "date=2026-12-01", "--watch"]);
  expect(run.code, run.stdout + run.stderr + agent.output()).toBe(0);
  const upstreamId = runIdOf(run.stdout);

  await page.goto(`/w/${slug}/runs/${upstreamId}`);
  const lineage = page.getByRole("region", { name: "Lineage" });
  const started = lineage.getByRole("list", { name: "Runs started after this run" }).getByRole("listitem");
  await expect(started).toHaveCount(1);
  await expect(started.getByText("Completed", { exact: true })).toBeVisible({ timeout: 30_000 });
  await started.getByRole("link").click();
  const downstream = page.getByRole("region", { name: "Lineage" });
  await expect(downstream).toContainText("Started by automation Train after ingest after run");
  await expect(downstream).toContainText("Completed");
  await page.getByRole("tab", { name: "Logs" }).click();
  await expect(page.getByText("train for 2026-12-01")).toBeVisible();

  // The automation's deliveries say what the action did, with a link to the run.
  await page.goto(`/w/${slug}/automations`);
  await page.getByRole("link", { name: "Train after ingest" }).click();
  const deliveries = page.getByRole("table", { name: "Deliveries" });
  await deliveries.getByRole("button", { name: "1 attempt" }).click();
  await expect(deliveries.getByText(/^Started run .* of train\/daily/)).toBeVisible();
  await expect(deliveries.getByRole("link", { name: "open run" })).toBeVisible();
  agent.child.kill("SIGTERM");
});
