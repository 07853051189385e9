import { createHmac } from "node:crypto";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { start, type RecordingServer } from "../tests/helpers/recording-server";
import { createWorkspace, inviteAndJoin, signUp, uniqueEmail } from "./helpers";

let receiver: RecordingServer;
test.beforeAll(async () => {
  receiver = await start(() => ({ status: 200, body: { ok: true } }));
});
test.afterAll(async () => {
  await receiver?.close();
});

test("a developer sets up a webhook automation and sends a test; a viewer sees it read-only", async ({ page, browser }) => {
  await signUp(page, uniqueEmail("owner"));
  const slug = await createWorkspace(page, "Alerts Check");
  const dev = await inviteAndJoin(page, browser, { slug, workspaceName: "Alerts Check", email: uniqueEmail("dev"), role: "developer" });
  const viewer = await inviteAndJoin(page, browser, { slug, workspaceName: "Alerts Check", email: uniqueEmail("viewer"), role: "viewer" });

  await dev.goto(`/w/${slug}/automations`);
  await expect(dev.getByRole("heading", { name: "No automations yet" })).toBeVisible();
  await dev.getByRole("link", { name: "New automation" }).click();
  await expect(dev.getByRole("heading", { name: "New automation", level: 1 })).toBeVisible();

  // The server's per-field messages appear at the fields.
  await dev.getByRole("button", { name: "Create automation" }).click();
  await expect(dev.getByText("Give the automation a name")).toBeVisible();
  await expect(dev.getByText("Add at least one action")).toBeVisible();

  await dev.getByLabel("Name", { exact: true }).fill("Failures to the receiver");
  await expect(dev.getByRole("radio", { name: "A run enters a state" })).toBeChecked();
  await expect(dev.getByRole("checkbox", { name: "Failed" })).toBeChecked();
  await dev.getByRole("checkbox", { name: "Late" }).check();
  await dev.getByRole("button", { name: "Add webhook" }).click();
  await dev.getByLabel("Webhook URL").fill(`${receiver.url}/baton-hook`);
  await dev.getByRole("button", { name: "Create automation" }).click();

  await expect(dev.getByRole("heading", { name: "Failures to the receiver", level: 1 })).toBeVisible();
  await expect(dev.getByText("You won't see it again.")).toBeVisible();
  const secret = await dev.getByLabel("Webhook signing secret").inputValue();
  expect(secret.length).toBeGreaterThan(20);
  await dev.getByRole("button", { name: "Done" }).click();
  await expect(dev.getByLabel("Webhook signing secret")).toHaveCount(0);

  await dev.getByRole("button", { name: /^Send test to Webhook/ }).click();
  await expect(dev.getByRole("status").filter({ hasText: "Delivered (HTTP 200)." })).toBeVisible();
  const sent = await receiver.waitForRequest((r) => r.path === "/baton-hook");
  expect(sent.method).toBe("POST");
  // The receiver's check, as docs/alerts.md describes it: HMAC-SHA256 of "<t>.<body>" with the secret shown once.
  const header = String(sent.headers["baton-signature"]);
  const t = /t=(\d+)/.exec(header)?.[1];
  const v1 = /v1=([0-9a-f]+)/.exec(header)?.[1];
  expect(v1).toBe(createHmac("sha256", secret).update(`${t}.${sent.rawBody}`).digest("hex"));

  // The test appears in the deliveries with its attempt.
  const deliveries = dev.getByRole("table", { name: "Deliveries" });
  await expect(deliveries.getByRole("row").filter({ hasText: "Test" })).toContainText("Delivered");
  await deliveries.getByRole("button", { name: "1 attempt" }).click();
  await expect(deliveries.getByText("HTTP 200")).toBeVisible();
  await dev.screenshot({ path: path.resolve("docs/screenshots/automation.png"), fullPage: true });

  await dev.goto(`/w/${slug}/automations`);
  const row = dev.getByRole("table", { name: "Automations" }).getByRole("row").filter({ hasText: "Failures to the receiver" });
  await expect(row).toContainText("Delivered");
  await expect(row.getByRole("checkbox", { name: "Enabled: Failures to the receiver" })).toBeChecked();

  // A viewer sees the automation but nothing to change it with.
  await viewer.goto(`/w/${slug}/automations`);
  await expect(viewer.getByRole("link", { name: "Failures to the receiver" })).toBeVisible();
  await expect(viewer.getByRole("link", { name: "New automation" })).toHaveCount(0);
  await expect(viewer.getByRole("checkbox")).toHaveCount(0);
  await viewer.getByRole("link", { name: "Failures to the receiver" }).click();
  await expect(viewer.getByRole("heading", { name: "Failures to the receiver", level: 1 })).toBeVisible();
  await expect(viewer.getByRole("table", { name: "Deliveries" })).toBeVisible();
  await expect(viewer.getByRole("button", { name: /Send test/ })).toHaveCount(0);
  await expect(viewer.getByRole("link", { name: "Edit" })).toHaveCount(0);
  expect(receiver.requests.filter((r) => r.path === "/baton-hook")).toHaveLength(1);

  // Editing keeps the saved URL (never sent to the browser) unless a new one is pasted.
  await dev.getByRole("link", { name: "Failures to the receiver" }).click();
  await dev.getByRole("link", { name: "Edit" }).click();
  await expect(dev.getByLabel("Webhook URL")).toHaveValue("");
  await expect(dev.getByLabel("Webhook URL")).toHaveAttribute("placeholder", /^Saved: 127\.0\.0\.1:\d+\/…hook$/);
  await dev.getByLabel("Name", { exact: true }).fill("Failures and late runs");
  await dev.getByRole("button", { name: "Save automation" }).click();
  await expect(dev.getByRole("heading", { name: "Failures and late runs", level: 1 })).toBeVisible();
  await expect(dev.getByLabel("Webhook signing secret")).toHaveCount(0);
  await dev.getByRole("button", { name: /^Send test to Webhook/ }).click();
  await expect(dev.getByRole("status").filter({ hasText: "Delivered (HTTP 200)." })).toBeVisible();
  expect(receiver.requests.filter((r) => r.path === "/baton-hook")).toHaveLength(2);
});
