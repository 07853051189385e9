import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { BASE_URL } from "../playwright.config";
import { createWorkspace, inviteAndJoin, signUp, uniqueEmail } from "./helpers";

const SCHEMA = {
  type: "object",
  required: ["dataset"],
  properties: {
    dataset: { type: "string", description: "Name of the data set to train on" },
    epochs: { type: "integer", default: 10, minimum: 1 },
    rate: { type: "number", description: "Learning rate" },
    dryRun: { type: "boolean", default: false },
    mode: { type: "string", enum: ["fast", "full"], default: "fast" },
    since: { type: "string", format: "date", description: "First day of data" },
    features: { type: "array", items: { type: "string" } },
    storage: {
      type: "object",
      required: ["bucket"],
      properties: { bucket: { type: "string" }, prefix: { type: "string", default: "runs/" } },
    },
  },
};

async function createApiKey(page: Page, slug: string) {
  await page.goto(`/w/${slug}/settings/api-keys`);
  await page.getByLabel("Name").fill("deployer");
  await page.getByLabel("Role").selectOption("developer");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.getByLabel("New API key").inputValue();
  expect(key).toMatch(/^bt_/);
  await page.getByRole("button", { name: "Done" }).click();
  return key;
}

const field = (page: Page, label: string) => page.getByRole("form", { name: "Run parameters" }).getByLabel(label, { exact: true });

test("deployments: list, Run form from the schema with client and server errors, quick run, schedule editor, pause; pools; a viewer cannot run", async ({ browser }) => {
  test.setTimeout(120_000);
  const ownerCtx = await browser.newContext();
  const page = await ownerCtx.newPage();
  await signUp(page, uniqueEmail("deployer"));
  const slug = await createWorkspace(page, "Deploy Check");

  // No agent yet: the exact commands for this workspace's Baton.
  await page.goto(`/w/${slug}/work-pools`);
  await expect(page.getByRole("table", { name: "Work pools" }).getByText("default", { exact: true })).toBeVisible();
  await expect(page.getByText(`npx baton login --url ${BASE_URL}`, { exact: true })).toBeVisible();
  await expect(page.getByText("npx baton agent start --pool default", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Edit pool default" }).click();
  await page.getByLabel("Concurrency limit", { exact: true }).fill("3");
  await page.getByRole("button", { name: "Save pool" }).click();
  await expect(page.getByRole("table", { name: "Work pools" }).getByRole("cell", { name: "3", exact: true })).toBeVisible();
  // A concurrency limit by tag, set from the same page.
  const limitForm = page.getByRole("form", { name: "Set a concurrency limit" });
  await limitForm.getByLabel("Tag").fill("gpu");
  await limitForm.getByLabel("Most at once").fill("2");
  await limitForm.getByRole("button", { name: "Set limit" }).click();
  await expect(page.getByRole("table", { name: "Concurrency limits by tag" }).getByRole("row", { name: /gpu\s+0 \/ 2/ })).toBeVisible();

  await page.goto(`/w/${slug}/deployments`);
  await expect(page.getByRole("heading", { name: "No deployments yet" })).toBeVisible();
  await expect(page.getByText("npx baton deploy")).toBeVisible();

  const key = await createApiKey(page, slug);
  const auth = { authorization: `Bearer ${key}` };
  const put = await ownerCtx.request.put("/api/v1/deployments", {
    headers: auth,
    data: {
      flowName: "training",
      name: "nightly",
      description: "Trains the trip-duration model",
      kind: "command",
      command: "true",
      parameters: { dataset: "taxi", storage: { bucket: "ml-data" } },
      parameterSchema: SCHEMA,
      tags: ["ml"],
      retries: 2,
      timeoutSeconds: 600,
      schedules: [{ kind: "cron", cron: "0 9 * * *", timezone: "Europe/Berlin" }],
    },
  });
  expect(put.status()).toBe(200);
  const deploymentId = (await put.json()).deployment.id as string;
  // Runs people started (the scheduler fills the schedule's future runs alongside).
  const runsOf = async () =>
    ((await (await ownerCtx.request.get(`/api/v1/flow-runs?deployment=${deploymentId}`, { headers: auth })).json()).runs as { parameters: Record<string, unknown>; createdBy: string }[]).filter(
      (r) => r.createdBy !== "scheduler",
    );

  // The list: the schedule in words, the next run, no run yet.
  await page.goto(`/w/${slug}/deployments`);
  const row = page.getByRole("table", { name: "Deployments" }).getByRole("row").filter({ hasText: "training/nightly" });
  await expect(row.getByText("every day at 09:00 Europe/Berlin")).toBeVisible();
  await expect(row.getByText("no runs yet")).toBeVisible();
  await row.getByRole("link", { name: "training/nightly" }).click();
  await expect(page.getByRole("heading", { name: "nightly", level: 1 })).toBeVisible();
  await expect(page.getByText("Trains the trip-duration model")).toBeVisible();

  // Run form: defaults prefilled, required marked, descriptions shown.
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(field(page, "dataset")).toHaveValue("taxi");
  await expect(field(page, "dataset")).toHaveAttribute("aria-required", "true");
  await expect(field(page, "dataset")).toHaveAccessibleDescription(/Name of the data set to train on/);
  await expect(field(page, "epochs")).toHaveValue("10");
  await expect(field(page, "bucket")).toHaveValue("ml-data");
  await expect(field(page, "prefix")).toHaveValue("runs/");
  await expect(page.getByRole("group", { name: "storage" })).toBeVisible();

  // Required field missing: an error on that field, nothing sent.
  await field(page, "dataset").fill("");
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(field(page, "dataset")).toHaveAttribute("aria-invalid", "true");
  await expect(field(page, "dataset")).toHaveAccessibleDescription(/Required\./);

  // Wrong type: an error on that field only.
  await field(page, "dataset").fill("taxi-2026");
  await field(page, "epochs").fill("abc");
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(field(page, "epochs")).toHaveAccessibleDescription(/Must be a whole number\./);
  await expect(field(page, "dataset")).not.toHaveAttribute("aria-invalid", "true");

  // Only the server knows (minimum 1): its 422 lands on the field.
  await field(page, "epochs").fill("0");
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(field(page, "epochs")).toHaveAccessibleDescription(/Must be >= 1\./);
  expect(await runsOf()).toHaveLength(0);

  // Valid: the run is created with exactly these parameters.
  await field(page, "epochs").fill("3");
  await field(page, "rate").fill("0.01");
  await field(page, "dryRun").check();
  await field(page, "mode").selectOption({ label: "full" });
  await field(page, "since").fill("2026-05-01");
  await field(page, "features").fill("distance\nhour");
  await field(page, "prefix").fill("experiments/");
  await page.locator("section").filter({ has: page.getByRole("heading", { name: "Run with parameters" }) }).screenshot({ path: path.resolve("docs/screenshots/deployment-run-form.png") });
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.getByText(/^Run .+ created\.$/)).toBeVisible();
  await expect.poll(async () => (await runsOf()).length).toBe(1);
  expect((await runsOf())[0].parameters).toEqual({
    dataset: "taxi-2026",
    epochs: 3,
    rate: 0.01,
    dryRun: true,
    mode: "full",
    since: "2026-05-01",
    features: ["distance", "hour"],
    storage: { bucket: "ml-data", prefix: "experiments/" },
  });
  await expect(page.getByRole("table", { name: "Recent runs" }).getByRole("link")).toHaveCount(1);

  // Quick run: the defaults.
  await page.getByRole("button", { name: "Quick run" }).click();
  await expect.poll(async () => (await runsOf()).length).toBe(2);
  expect((await runsOf())[0].parameters).toEqual({ dataset: "taxi", epochs: 10, dryRun: false, mode: "fast", storage: { bucket: "ml-data", prefix: "runs/" } });
  await expect(page.getByRole("table", { name: "Recent runs" }).getByRole("link")).toHaveCount(2);

  // Schedule editor: a bad expression is a field error; a good one previews 5 times; saving changes the schedule.
  await page.getByRole("button", { name: "Edit schedules" }).click();
  const editor = page.getByRole("form", { name: "Schedule editor" });
  await expect(editor.getByLabel("Cron expression")).toHaveValue("0 9 * * *");
  await expect(editor.getByRole("list", { name: "Next runs of schedule 1" }).getByRole("listitem")).toHaveCount(5);
  await editor.getByLabel("Cron expression").fill("61 * * * *");
  await expect(editor.getByLabel("Cron expression")).toHaveAccessibleDescription(/Invalid cron expression "61 \* \* \* \*"/);
  await editor.getByLabel("Cron expression").fill("30 6 * * 1-5");
  await editor.getByLabel("Time zone").fill("America/New_York");
  await expect(editor.getByText("at 06:30 on weekdays America/New_York")).toBeVisible();
  const times = editor.getByRole("list", { name: "Next runs of schedule 1" }).getByRole("listitem");
  await expect(times).toHaveCount(5);
  await expect(times.first()).toContainText(/06:30/);
  await editor.getByRole("button", { name: "Save schedules" }).click();
  await expect(page.getByText("Schedules saved.")).toBeVisible();
  await expect(page.getByRole("list", { name: "Schedules" })).toHaveText("at 06:30 on weekdays America/New_York");
  const saved = await (await ownerCtx.request.get(`/api/v1/deployments/${deploymentId}`, { headers: auth })).json();
  expect(saved.schedules).toMatchObject([{ kind: "cron", cron: "30 6 * * 1-5", timezone: "America/New_York", active: true }]);

  // Pause and resume.
  await page.getByRole("button", { name: "Pause", exact: true }).click();
  await expect(page.getByRole("button", { name: "Resume" })).toBeVisible();
  expect((await (await ownerCtx.request.get(`/api/v1/deployments/${deploymentId}`, { headers: auth })).json()).paused).toBe(true);
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(page.getByRole("button", { name: "Pause", exact: true })).toBeVisible();
  expect((await (await ownerCtx.request.get(`/api/v1/deployments/${deploymentId}`, { headers: auth })).json()).paused).toBe(false);

  // Catch-up: shown in Details (default latest, no limit); a developer changes policy and max lateness.
  await expect(page.getByText(/^latest: after missed slots only the newest run/)).toBeVisible();
  await expect(page.getByText("Max lateness: no limit")).toBeVisible();
  await page.getByRole("button", { name: "Edit catch-up" }).click();
  const catchUp = page.getByRole("form", { name: "Catch-up editor" });
  await catchUp.getByLabel("Catch-up policy").selectOption("none");
  await catchUp.getByLabel("Max lateness", { exact: true }).fill("-3");
  await catchUp.getByRole("button", { name: "Save catch-up" }).click();
  await expect(catchUp.getByLabel("Max lateness", { exact: true })).toHaveAccessibleDescription("Enter a positive number, or leave it empty for no limit.");
  await catchUp.getByLabel("Max lateness", { exact: true }).fill("2");
  await catchUp.getByLabel("Max lateness unit").selectOption("hours");
  await catchUp.getByRole("button", { name: "Save catch-up" }).click();
  await expect(page.getByText("Max lateness: 2 hours")).toBeVisible();
  await expect(page.getByText(/^none: a run that became Late is skipped/)).toBeVisible();
  expect(await (await ownerCtx.request.get(`/api/v1/deployments/${deploymentId}`, { headers: auth })).json()).toMatchObject({ catchUp: "none", maxLatenessSeconds: 7200 });

  // Flows: the flow's page lists its deployment and runs.
  await page.goto(`/w/${slug}/flows`);
  await page.getByRole("table", { name: "Flows" }).getByRole("link", { name: "training" }).click();
  await expect(page.getByRole("heading", { name: "training", level: 1 })).toBeVisible();
  await expect(page.getByRole("table", { name: "Deployments of this flow" }).getByRole("link", { name: "nightly" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Recent runs of this flow" }).getByRole("link")).toHaveCount(2);

  // A viewer sees no Run buttons, and the server refuses the run anyway.
  const viewerEmail = uniqueEmail("viewer");
  const viewer = await inviteAndJoin(page, browser, { slug, workspaceName: "Deploy Check", email: viewerEmail, role: "viewer" });
  await viewer.goto(`/w/${slug}/deployments/${deploymentId}`);
  await expect(viewer.getByRole("heading", { name: "nightly", level: 1 })).toBeVisible();
  await expect(viewer.getByRole("list", { name: "Schedules" })).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Run", exact: true })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Quick run" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Pause", exact: true })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Edit schedules" })).toHaveCount(0);
  await expect(viewer.getByText("Max lateness: 2 hours")).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Edit catch-up" })).toHaveCount(0);
  const refused = await viewer.request.post("/api/trpc/runs.create", { headers: { "x-baton-csrf": "1" }, data: { workspace: slug, deploymentId, parameters: { dataset: "x" } } });
  expect(refused.status()).toBe(403);
  expect(await runsOf()).toHaveLength(2);
  await viewer.context().close();
  await ownerCtx.close();
});
