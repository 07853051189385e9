import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { batonEnv, cli, createKey, killChildren, startAgent } from "./cli";
import { createWorkspace, inviteAndJoin, signUp, uniqueEmail } from "./helpers";

test.afterAll(killChildren);

test("a paused run's page shows the flow's question and a form from its schema; a runner answers it and the run completes", async ({ page, browser }) => {
  test.setTimeout(180_000);
  await signUp(page, uniqueEmail("pause-owner"));
  const slug = await createWorkspace(page, "Approvals Check");
  const env = batonEnv(await createKey(page, slug, "pause-cli", "owner"), fs.mkdtempSync(path.join(os.tmpdir(), "baton-e2e-pause-")));
  const deployed = await cli(env, ["deploy", "approval.ts:approval", "--name", "ship-model"]);
  expect(deployed.code, deployed.stderr).toBe(0);
  const started = await cli(env, ["run", "approval/ship-model"]);
  expect(started.code, started.stderr).toBe(0);
  const runId = /\(([0-9a-f-]{36})\)/.exec(started.stdout)![1];
  const runnerEmail = uniqueEmail("pause-runner");
  const runner = await inviteAndJoin(page, browser, { slug, workspaceName: "Approvals Check", email: runnerEmail, role: "runner" });

  const agent = startAgent(env, ["--name", "e2e-pause-agent"]);
  try {
    await runner.goto(`/w/${slug}/runs/${runId}`);
    const badge = runner.getByRole("heading", { level: 1 }).locator("xpath=following-sibling::span[1]");
    await expect(badge).toHaveText("Paused", { timeout: 60_000 });
    const question = runner.getByRole("region", { name: "Waiting for input" });
    await expect(question.getByText("Look at the metrics: ship this model?")).toBeVisible();
    const form = question.getByRole("form", { name: "Input for the run" });
    await expect(form.getByLabel("note", { exact: true })).toBeVisible();
    await form.getByLabel("approve", { exact: true }).check();
    await form.getByLabel("note", { exact: true }).fill("rmse is fine");
    await form.getByRole("button", { name: "Submit and resume" }).click();

    await expect(badge).toHaveText("Completed", { timeout: 60_000 });
    const given = runner.getByRole("region", { name: "Input given" });
    await expect(given).toContainText(`Answered by ${runnerEmail}`);
    await expect(given).toContainText('"note": "rmse is fine"');
    await runner.getByRole("tab", { name: "Logs" }).click();
    await expect(runner.getByRole("log", { name: "Run logs" })).toContainText("answer approve=true note=rmse is fine");
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- agent ---\n${agent.output()}`);
  } finally {
    agent.child.kill("SIGTERM");
  }
});
