import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { TestRepo } from "../tests/helpers/git-repos";
import { batonEnv, cli, createKey, killChildren, runIdOf, startAgent } from "./cli";
import { createWorkspace, signUp, uniqueEmail } from "./helpers";

test.afterAll(killChildren);

test("a git source: the deployment page says where the code is, the run page its commit, and 'Run again with the same code' runs that commit after a push", async ({ browser }) => {
  test.setTimeout(180_000);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  await signUp(page, uniqueEmail("git"));
  const slug = await createWorkspace(page, "Git Check");
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "baton-e2e-git-")));
  const env = batonEnv(await createKey(page, slug, "git-cli", "owner"), path.join(root, "home"));
  const repo = TestRepo.create(root, "jobs");
  const first = repo.commit({ "version.txt": "first\n" });

  const deployed = await cli(env, ["deploy", "--command", "cat version.txt", "--name", "versioned", "--git", repo.url, "--setup", "echo preparing"], { cwd: root });
  expect(deployed.code, deployed.stderr).toBe(0);
  const agent = startAgent(env, ["--name", "e2e-git-agent", "--cache-dir", path.join(root, "cache")], root);
  try {
    const run = await cli(env, ["run", "versioned", "--watch"], { cwd: root });
    expect(run.code, run.stdout + agent.output()).toBe(0);
    expect(run.stdout).toContain("first");

    await page.goto(`/w/${slug}/deployments`);
    await page.getByRole("table", { name: "Deployments" }).getByRole("link", { name: "versioned/versioned" }).click();
    await expect(page.getByText(`${repo.url} at main`)).toBeVisible();
    await expect(page.getByText("echo preparing", { exact: true })).toBeVisible();

    repo.commit({ "version.txt": "second\n" });
    const firstRunId = runIdOf(run.stdout);
    await page.goto(`/w/${slug}/runs/${firstRunId}`);
    await expect(page.getByTitle(first)).toHaveText(first.slice(0, 12));
    await page.getByRole("button", { name: "Run again with the same code" }).click();
    await expect(page).not.toHaveURL(new RegExp(firstRunId));
    await expect(page.getByTitle(first)).toBeVisible();
    await expect(page.getByRole("heading", { level: 1 }).locator("xpath=following-sibling::span[1]")).toHaveText("Completed", { timeout: 60_000 });
    await page.getByRole("tab", { name: "Logs" }).click();
    const log = page.getByRole("log", { name: "Run logs" });
    await expect(log).toContainText("first");
    await expect(log).not.toContainText("second");
    await expect(log).toContainText(`at ${first.slice(0, 12)} (pinned)`);

    // A developer pins the deployment itself to the first commit from its page.
    await page.goto(`/w/${slug}/deployments`);
    await page.getByRole("table", { name: "Deployments" }).getByRole("link", { name: "versioned/versioned" }).click();
    await page.getByRole("button", { name: "Edit code" }).click();
    const editor = page.getByRole("form", { name: "Code editor" });
    await expect(editor.getByLabel("Repository URL")).toHaveValue(repo.url);
    await editor.getByLabel("Ref").fill(first);
    await editor.getByLabel("Credentials").fill("{{ secrets.nope }}");
    await editor.getByRole("button", { name: "Save code" }).click();
    await expect(editor.getByText(/secret "nope"/)).toBeVisible();
    await editor.getByLabel("Credentials").fill("");
    await editor.getByRole("button", { name: "Save code" }).click();
    await expect(page.getByText(`${repo.url} at ${first}`)).toBeVisible();
    const pinnedRun = await cli(env, ["run", "versioned", "--watch"], { cwd: root });
    expect(pinnedRun.stdout).toContain("first");
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- agent ---\n${agent.output()}`);
  } finally {
    agent.child.kill("SIGTERM");
  }
});
