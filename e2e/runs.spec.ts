import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { createWorkspace, inviteAndJoin, signUp, uniqueEmail } from "./helpers";
import { batonEnv, cli, createKey, FLOWS, killChildren, runIdOf, startAgent } from "./cli";

const ROOT = path.resolve(import.meta.dirname, "..");
const SCREENSHOTS = path.join(ROOT, "docs/screenshots");

test.afterAll(killChildren);

async function apiGet(request: APIRequestContext, key: string, p: string) {
  const res = await request.get(`/api/v1${p}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status(), p).toBe(200);
  return res.json();
}

const badge = (page: Page) => page.getByRole("heading", { level: 1 }).locator("xpath=following-sibling::span[1]");

test("runs list and run page against a real agent: graph, timeline, logs, artifacts, states, cancel, retry, run again, live, roles", async ({ browser }) => {
  test.setTimeout(300_000);
  const ownerCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ownerCtx.newPage();
  const ownerEmail = uniqueEmail("runs-owner");
  await signUp(page, ownerEmail);
  const slug = await createWorkspace(page, "Runs Check");

  await page.goto(`/w/${slug}/runs`);
  await expect(page.getByRole("heading", { name: "No runs yet" })).toBeVisible();
  await expect(page.getByText("npx baton deploy", { exact: false })).toBeVisible();

  const key = await createKey(page, slug, "e2e-cli", "owner");
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "baton-e2e-home-"));
  const env = batonEnv(key, home);

  const deployed = await cli(env, ["deploy", "pipeline.ts:pipeline", "--name", "nightly", "--param", "n=4"]);
  expect(deployed.stderr).toBe("");
  expect(deployed.code).toBe(0);
  const started = startAgent(env, ["--workdir", FLOWS, "--limit", "4", "--name", "e2e-agent"]);
  const agent = started.child;

  try {
    const run = await cli(env, ["run", "pipeline/nightly", "--watch"]);
    expect(run.code, run.stdout + run.stderr + started.output()).toBe(0);
    expect(run.stdout).toContain("total 50");
    const runId = runIdOf(run.stdout);
    const apiRun = await apiGet(ownerCtx.request, key, `/flow-runs/${runId}`);

    await test.step("the runs list shows the run Completed, linked to its page", async () => {
      await page.goto(`/w/${slug}/runs`);
      const row = page.getByRole("table", { name: "Flow runs" }).getByRole("row").filter({ hasText: apiRun.name });
      await expect(row.getByText("Completed", { exact: true })).toBeVisible();
      await expect(row).toContainText("pipeline / nightly");
      await row.getByRole("link", { name: apiRun.name }).click();
      await expect(page).toHaveURL(new RegExp(`/w/${slug}/runs/${runId}`));
      await expect(page.getByRole("heading", { level: 1, name: apiRun.name })).toBeVisible();
      await expect(badge(page)).toHaveText("Completed");
      await expect(page.getByLabel("Parameters")).toContainText('"n": 4');
    });

    await test.step("Graph: four task nodes with their edges; a node opens its task run", async () => {
      await page.getByRole("tab", { name: "Graph" }).click();
      const graph = page.getByRole("group", { name: "Task dependency graph" });
      for (const name of ["extract", "double", "square", "total"]) await expect(graph.getByRole("button", { name: `${name}, Completed` })).toBeVisible();
      for (const edge of ["extract → double", "extract → square", "double → total", "square → total"]) await expect(graph.getByRole("img", { name: edge })).toHaveCount(1);
      await expect(graph.getByRole("img")).toHaveCount(4);
      await page.screenshot({ path: path.join(SCREENSHOTS, "run-graph.png"), fullPage: true });
      await graph.getByRole("button", { name: "extract, Completed" }).click();
      const panel = page.getByRole("region", { name: "Task run extract" });
      await expect(panel).toBeVisible();
      await expect(panel.getByText("Cache key")).toBeVisible();
      await expect(panel.getByText("Attempt")).toBeVisible();
    });

    await test.step("Timeline: four bars", async () => {
      await page.getByRole("tab", { name: "Timeline" }).click();
      const timeline = page.getByRole("list", { name: "Task timeline" });
      await expect(timeline.getByRole("listitem")).toHaveCount(4);
      await expect(timeline.getByRole("img", { name: /^total: Completed/ })).toBeVisible();
      await page.getByRole("region", { name: "Task run extract" }).getByRole("button", { name: "Close" }).click();
      await page.screenshot({ path: path.join(SCREENSHOTS, "run-timeline.png"), fullPage: true });
    });

    await test.step("Logs: every line, and a text filter", async () => {
      await page.getByRole("tab", { name: "Logs" }).click();
      const log = page.getByRole("log", { name: "Run logs" });
      await expect(log).toContainText("total 50");
      await expect(log).toContainText("printed to stdout");
      await page.getByLabel("Search logs").fill("line 3");
      await expect(log).toContainText("line 3");
      await expect(log).not.toContainText("total 50");
      await expect(page.getByText(/^1 of \d+ lines$/)).toBeVisible();
      await page.getByLabel("Search logs").fill("");
      const download = page.waitForEvent("download");
      await page.getByRole("button", { name: "Download" }).click();
      const file = await download;
      expect(file.suggestedFilename()).toBe(`${apiRun.name}.log`);
      expect(fs.readFileSync(await file.path(), "utf8")).toContain("total 50");
    });

    await test.step("Artifacts: the markdown, rendered", async () => {
      await page.getByRole("tab", { name: "Artifacts" }).click();
      await expect(page.getByRole("heading", { name: "total 50" })).toBeVisible();
    });

    await test.step("States: the full history", async () => {
      await page.getByRole("tab", { name: "States" }).click();
      const states = page.getByRole("table", { name: "State history" });
      for (const name of ["Scheduled", "Pending", "Running", "Completed"]) await expect(states.getByText(name, { exact: true })).toBeVisible();
    });

    await test.step("Run again: same deployment, same parameters", async () => {
      await page.getByRole("button", { name: "Run again" }).click();
      await expect(page).not.toHaveURL(new RegExp(`/runs/${runId}`));
      const againId = new URL(page.url()).pathname.split("/").at(-1)!;
      const again = await apiGet(ownerCtx.request, key, `/flow-runs/${againId}`);
      expect(again.deploymentId).toBe(apiRun.deploymentId);
      expect(again.parameters).toEqual(apiRun.parameters);
    });

    await test.step("Cancel a running command from the run page, then Retry it", async () => {
      expect((await cli(env, ["deploy", "--command", "sleep 30", "--name", "sleeper"])).code).toBe(0);
      const started = await cli(env, ["run", "sleeper/sleeper"]);
      expect(started.code, started.stdout + started.stderr).toBe(0);
      const sleepId = runIdOf(started.stdout);
      await page.goto(`/w/${slug}/runs/${sleepId}`);
      await expect(badge(page)).toHaveText("Running", { timeout: 20_000 });
      await page.getByRole("button", { name: "Cancel" }).click();
      await expect(badge(page)).toHaveText("Cancelled", { timeout: 15_000 });
      await page.getByRole("button", { name: "Retry" }).click();
      await expect(page.getByText("Attempt", { exact: true }).locator("xpath=following-sibling::dd")).toHaveText("2", { timeout: 20_000 });
      await expect(badge(page)).toHaveText(/Scheduled|Pending|Running/);
      await page.getByRole("tab", { name: "States" }).click();
      const history = page.getByRole("table", { name: "State history" });
      await expect(history.getByText("Cancelled", { exact: true })).toBeVisible();
      // Who cancelled and who retried: the person, on the rows their clicks wrote.
      await expect(history.getByRole("row").filter({ hasText: "Cancelling" })).toContainText(`by ${ownerEmail}`);
      await expect(history.getByRole("row").filter({ hasText: "Retried by a person" })).toContainText(`by ${ownerEmail}`);
      await page.getByRole("button", { name: "Cancel" }).click();
      await expect(badge(page)).toHaveText("Cancelled", { timeout: 15_000 });
    });

    await test.step("Live: a run created through the API appears in the open list without a reload", async () => {
      await page.goto(`/w/${slug}/runs`);
      await expect(page.getByText("Live: new runs and state changes appear as they happen.")).toBeVisible();
      const res = await ownerCtx.request.post(`/api/v1/deployments/${apiRun.deploymentId}/runs`, {
        headers: { authorization: `Bearer ${key}` },
        data: { parameters: { n: 2 }, name: "live-check-run" },
      });
      expect(res.status()).toBeLessThan(300);
      await expect(page.getByRole("link", { name: "live-check-run" })).toBeVisible({ timeout: 2_000 });
    });

    await test.step("Timeline and graph show a task's retry", async () => {
      expect((await cli(env, ["deploy", "flaky-task.ts:retrying", "--name", "retrying"])).code).toBe(0);
      const run = await cli(env, ["run", "retrying/retrying", "--watch"]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      await page.goto(`/w/${slug}/runs/${runIdOf(run.stdout)}?tab=timeline`);
      const timeline = page.getByRole("list", { name: "Task timeline" });
      await expect(timeline.getByRole("img", { name: /^flaky: Completed, .*retried \(attempt 2\)$/ })).toBeVisible();
      await expect(timeline.getByText("retried, attempt 2")).toBeVisible();
      await page.getByRole("tab", { name: "Graph" }).click();
      await page.getByRole("button", { name: "flaky, Completed" }).click();
      const panel = page.getByRole("region", { name: "Task run flaky" });
      for (const name of ["AwaitingRetry", "Retrying"]) await expect(panel.getByText(name, { exact: true })).toBeVisible();
      await expect(panel.getByRole("log")).toContainText("first try fails");
    });

    await test.step("Logs tail a running flow: new lines appear without a reload", async () => {
      expect((await cli(env, ["deploy", "pipeline.ts:chatty", "--name", "chatty", "--param", "lines=60", "--param", "everyMs=200"])).code).toBe(0);
      const started = await cli(env, ["run", "chatty/chatty"]);
      expect(started.code, started.stdout + started.stderr).toBe(0);
      await page.goto(`/w/${slug}/runs/${runIdOf(started.stdout)}?tab=logs`);
      const log = page.getByRole("log", { name: "Run logs" });
      await expect(log).toContainText("chatty 1", { timeout: 20_000 });
      await expect(log).not.toContainText("chatty 59");
      await expect(log).toContainText("chatty 59", { timeout: 20_000 });
      await expect(badge(page)).toHaveText("Completed", { timeout: 15_000 });
    });

    await test.step("A viewer sees no run actions, and the server refuses them", async () => {
      const viewerEmail = uniqueEmail("runs-viewer");
      const viewer = await inviteAndJoin(page, browser, { slug, workspaceName: "Runs Check", email: viewerEmail, role: "viewer" });

      await viewer.goto(`/w/${slug}/runs/${runId}`);
      await expect(viewer.getByRole("heading", { level: 1, name: apiRun.name })).toBeVisible();
      await expect(viewer.getByRole("tab", { name: "Graph" })).toBeVisible();
      for (const name of ["Cancel", "Retry", "Run again"]) await expect(viewer.getByRole("button", { name })).toHaveCount(0);
      await viewer.goto(`/w/${slug}/runs`);
      await expect(viewer.getByRole("link", { name: apiRun.name })).toBeVisible();
      await expect(viewer.getByRole("button", { name: /Cancel selected/ })).toHaveCount(0);
      const headers = { "x-baton-csrf": "1" };
      for (const proc of ["runs.cancel", "runs.retry"]) {
        const res = await viewer.request.post(`/api/trpc/${proc}`, { headers, data: { workspace: slug, runId } });
        expect(res.status(), proc).toBe(403);
      }
      const rerun = await viewer.request.post("/api/trpc/runs.create", { headers, data: { workspace: slug, deploymentId: apiRun.deploymentId, parameters: {} } });
      expect(rerun.status()).toBe(403);
      await viewer.context().close();
    });
  } finally {
    agent.kill("SIGKILL");
    await ownerCtx.close();
  }
});
