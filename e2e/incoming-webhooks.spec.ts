import { createHmac } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createWorkspace, signUp, uniqueEmail } from "./helpers";
import { batonEnv, cli, createKey, FLOWS, killChildren, startAgent } from "./cli";

test.afterAll(killChildren);

test("an incoming webhook made in the browser starts a run on a real agent when GitHub-style signed JSON arrives; the request log links the run", async ({ browser }) => {
  test.setTimeout(180_000);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signUp(page, uniqueEmail("hooks"));
  const slug = await createWorkspace(page, "Hooks Check");
  const key = await createKey(page, slug, "e2e-cli", "owner");
  const env = batonEnv(key, fs.mkdtempSync(path.join(os.tmpdir(), "baton-e2e-home-")));
  const deployed = await cli(env, ["deploy", "pipeline.ts:pipeline", "--name", "on-push", "--param", "n=1"]);
  expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
  const agent = startAgent(env, ["--workdir", FLOWS, "--name", "e2e-hooks-agent"]);

  await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Incoming webhooks" }).click();
  await expect(page.getByRole("heading", { name: "No incoming webhooks yet" })).toBeVisible();
  const form = page.getByRole("form", { name: "Create an incoming webhook" });
  await form.getByLabel("Name").fill("github-push");
  await form.getByLabel("Deployment").selectOption({ label: "pipeline/on-push" });
  await form.getByLabel("Signature check").selectOption("github");
  await form.getByLabel("Parameter template").fill('{ "n": "{{ body.size }" }');
  await expect(form.getByText(/Unbalanced braces/)).toBeVisible();
  await form.getByLabel("Parameter template").fill('{ "n": "{{ body.size }}" }');
  await form.getByRole("button", { name: "Create endpoint" }).click();
  const url = (await form.getByLabel("Endpoint URL").textContent())!.trim();
  const secret = (await form.getByLabel("Signing secret", { exact: true }).textContent())!.trim();
  expect(url).toMatch(/\/hooks\/[A-Za-z0-9_-]{32}$/);
  expect(secret).toMatch(/^whsec_/);

  const body = JSON.stringify({ ref: "refs/heads/main", size: 3 });
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  const sent = Date.now();
  const res = await ctx.request.post(url, { headers: { "content-type": "application/json", "x-hub-signature-256": signature, "x-github-delivery": "e2e-1" }, data: body });
  const answeredMs = Date.now() - sent;
  expect(res.status(), await res.text()).toBe(202);
  const { runId } = (await res.json()) as { runId: string };
  const bad = await ctx.request.post(url, { headers: { "content-type": "application/json", "x-hub-signature-256": "sha256=" + "0".repeat(64) }, data: body });
  expect(bad.status()).toBe(401);

  // The real agent claims it: the time from the call to the run's start is the figure the issue asks for.
  let startTime: string | null = null;
  await expect(async () => {
    const run = await ctx.request.get(`/api/v1/flow-runs/${runId}`, { headers: { authorization: `Bearer ${key}` } });
    const json = (await run.json()) as { state: { type: string }; startTime: string | null; parameters: Record<string, unknown>; origin: unknown };
    expect(json.parameters.n).toBe(3);
    expect(json.origin).toMatchObject({ kind: "webhook", endpointName: "github-push" });
    expect(json.state.type, agent.output()).toBe("COMPLETED");
    startTime = json.startTime;
  }).toPass({ timeout: 60_000 });
  console.log(`[incoming-webhooks e2e] call → 202: ${answeredMs} ms; call → run started on a real agent: ${new Date(startTime!).getTime() - sent} ms`);

  await form.getByRole("link", { name: "Open github-push" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "github-push" })).toBeVisible();
  const log = page.getByRole("table", { name: "Request log" });
  await expect(log.getByRole("row").filter({ hasText: "Bad signature" })).toContainText("401");
  const created = log.getByRole("row").filter({ hasText: "Run created" });
  await expect(created).toContainText("delivery e2e-1");
  await created.getByRole("link", { name: "View run" }).click();
  await expect(page).toHaveURL(new RegExp(`/w/${slug}/runs/${runId}$`));

  // Rotate in the browser: the old URL answers 404.
  await page.goBack();
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Rotate URL and secret" }).click();
  await expect(page.getByLabel("Signing secret", { exact: true })).toBeVisible();
  await expect(page.getByLabel("Endpoint URL")).not.toContainText(url);
  expect((await ctx.request.post(url, { data: body })).status()).toBe(404);
  // Stripe makes its own secret: pasted in the form, never shown back, and calls signed with it run.
  await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Incoming webhooks" }).click();
  await form.getByLabel("Name").fill("stripe-invoices");
  await form.getByLabel("Signature check").selectOption("stripe");
  await form.getByLabel("Stripe signing secret").fill("whsec_fromStripeDashboard0123456789");
  await form.getByLabel("Parameter template").fill('{ "n": "{{ body.data.object.amount_paid }}" }');
  await form.getByRole("button", { name: "Create endpoint" }).click();
  const stripeUrl = (await form.getByLabel("Endpoint URL").textContent())!.trim();
  await expect(form.getByLabel("Signing secret", { exact: true })).toHaveCount(0);
  const event = JSON.stringify({ id: "evt_e2e", type: "invoice.paid", data: { object: { amount_paid: 2 } } });
  const t = Math.floor(Date.now() / 1000);
  const stripeSig = `t=${t},v1=${createHmac("sha256", "whsec_fromStripeDashboard0123456789").update(`${t}.${event}`).digest("hex")}`;
  const paid = await ctx.request.post(stripeUrl, { headers: { "content-type": "application/json", "stripe-signature": stripeSig }, data: event });
  expect(paid.status(), await paid.text()).toBe(202);
  await expect(page.getByRole("table", { name: "Incoming webhooks" }).getByRole("row", { name: /stripe-invoices/ })).toContainText("Stripe");

  agent.child.kill("SIGTERM");
  await ctx.close();
});
