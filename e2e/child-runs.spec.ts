import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createWorkspace, signUp, uniqueEmail } from "./helpers";
import { batonEnv, cli, createKey, FLOWS, killChildren, runIdOf, startAgent } from "./cli";

test.afterAll(killChildren);

test("a parent's page lists its two children with their states and the graph shows them; a child's page links its parent", async ({ browser }) => {
  test.setTimeout(180_000);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  await signUp(page, uniqueEmail("children-owner"));
  const slug = await createWorkspace(page, "Child Runs Check");
  const key = await createKey(page, slug, "e2e-children", "owner");
  const env = batonEnv(key, fs.mkdtempSync(path.join(os.tmpdir(), "baton-e2e-home-")));
  for (const [entry, name] of [
    ["child-runs.ts:step", "train"],
    ["child-runs.ts:step", "evaluate"],
    ["child-runs.ts:parent", "pipeline"],
  ]) {
    const res = await cli(env, ["deploy", entry, "--name", name]);
    expect(res.code, res.stderr).toBe(0);
  }
  const agent = startAgent(env, ["--workdir", FLOWS, "--limit", "4", "--name", "e2e-children-agent"]);
  const run = await cli(env, ["run", "ml-parent/pipeline", "--param", "mode=two", "--watch"]);
  expect(run.code, run.stdout + run.stderr + agent.output()).toBe(0);
  const parentId = runIdOf(run.stdout);
  const parent = await (await ctx.request.get(`/api/v1/flow-runs/${parentId}`, { headers: { authorization: `Bearer ${key}` } })).json();

  await page.goto(`/w/${slug}/runs/${parentId}`);
  const lineage = page.getByRole("region", { name: "Lineage" });
  await expect(lineage.getByRole("heading", { name: "Children (2)" })).toBeVisible();
  const children = lineage.getByRole("list", { name: "Child runs" }).getByRole("listitem");
  await expect(children).toHaveCount(2);
  await expect(children.filter({ hasText: "train-step/train" }).getByText("Completed", { exact: true })).toBeVisible();
  await expect(children.filter({ hasText: "train-step/evaluate" }).getByText("Completed", { exact: true })).toBeVisible();

  await page.getByRole("tab", { name: "Graph" }).click();
  const graph = page.getByRole("group", { name: "Task dependency graph" });
  await expect(graph.getByRole("link", { name: /^Child run .* \(train-step\/train\), Completed$/ })).toBeVisible();
  await expect(graph.getByRole("link", { name: /^Child run .* \(train-step\/evaluate\), Completed$/ })).toBeVisible();

  await page.getByRole("tab", { name: "Timeline" }).click();
  const train = children.filter({ hasText: "train-step/train" }).getByRole("link");
  const trainName = await train.textContent();
  await train.click();
  await expect(page.getByRole("heading", { level: 1, name: trainName! })).toBeVisible();
  const childLineage = page.getByRole("region", { name: "Lineage" });
  await expect(childLineage).toContainText(`Child of ${parent.name}`);
  await childLineage.getByRole("link", { name: parent.name }).click();
  await expect(page.getByRole("heading", { level: 1, name: parent.name })).toBeVisible();
  agent.child.kill("SIGTERM");
});
