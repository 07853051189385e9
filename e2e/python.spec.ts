import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { batonEnv, cli, createKey, killChildren, startAgent } from "./cli";
import { createWorkspace, signUp, uniqueEmail } from "./helpers";

const EXAMPLE = path.resolve(import.meta.dirname, "../examples/ml-pipeline-python");

test.afterAll(killChildren);

test("a Python flow deployed with the CLI: the Run form from its signature, a run on a real agent with its task graph and artifacts", async ({ browser }) => {
  test.setTimeout(180_000);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  await signUp(page, uniqueEmail("python"));
  const slug = await createWorkspace(page, "Python Check");
  const env = batonEnv(await createKey(page, slug, "py-cli", "owner"), fs.mkdtempSync(path.join(os.tmpdir(), "baton-e2e-py-")));

  const deployed = await cli(env, ["deploy"], { cwd: EXAMPLE });
  expect(deployed.code, deployed.stderr).toBe(0);
  expect(deployed.stdout).toMatch(/^Created: train-taxi-model-python\/taxi-daily-python/m);

  await page.goto(`/w/${slug}/deployments`);
  await page.getByRole("table", { name: "Deployments" }).getByRole("link", { name: "train-taxi-model-python/taxi-daily-python" }).click();
  await expect(page.getByRole("heading", { name: "taxi-daily-python", level: 1 })).toBeVisible();
  await expect(page.getByText("flows/train.py:main_flow", { exact: true })).toBeVisible();
  await expect(page.getByText("python3", { exact: true })).toBeVisible();

  // The form's fields are main_flow's parameters: defaults from the signature, help from the docstring.
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const form = page.getByRole("form", { name: "Run parameters" });
  const field = (label: string) => form.getByLabel(label, { exact: true });
  await expect(field("train_path")).toHaveValue("data/green-trips-train.csv");
  await expect(field("train_path")).toHaveAccessibleDescription(/CSV of the trips to train on/);
  await expect(field("val_path")).toHaveValue("data/green-trips-val.csv");
  await expect(field("top_pairs")).toHaveValue("50");
  await field("top_pairs").fill("many");
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(field("top_pairs")).toHaveAccessibleDescription(/Must be a whole number\./);
  await field("top_pairs").fill("20");

  const agent = startAgent(env, ["--workdir", EXAMPLE, "--name", "e2e-python-agent"], EXAMPLE);
  try {
    await page.getByRole("button", { name: "Start run" }).click();
    const notice = page.getByText(/^Run .+ created\.$/);
    await expect(notice).toBeVisible();
    await notice.getByRole("link").click();
    await expect(page.getByRole("heading", { level: 1 }).locator("xpath=following-sibling::span[1]")).toHaveText("Completed", { timeout: 60_000 });
    await expect(page.getByLabel("Parameters")).toContainText('"top_pairs": 20');

    await page.getByRole("tab", { name: "Graph" }).click();
    const graph = page.getByRole("group", { name: "Task dependency graph" });
    await expect(graph.getByRole("button", { name: "train_best_model, Completed" })).toBeVisible();
    await expect(graph.getByRole("img", { name: "add_features → train_best_model" })).toHaveCount(1);
    await page.getByRole("tab", { name: "Logs" }).click();
    await expect(page.getByRole("log", { name: "Run logs" })).toContainText("fitted 22 weights on 2968 trips");
    await page.getByRole("tab", { name: "Artifacts" }).click();
    await expect(page.getByRole("heading", { name: "Taxi trip duration model (Python)" })).toBeVisible();
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- agent ---\n${agent.output()}`);
  } finally {
    agent.child.kill("SIGTERM");
  }
});
