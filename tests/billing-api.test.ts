import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { usageMonth } from "../server/billing/run-quota";
import { upsertDeployment } from "../server/deployments/upsert-deployment";
import { startApp, waitHealthy, type AppProcess } from "./helpers/app-process";
import { BATON_BIN, type CliResult } from "./helpers/cli";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers, TEST_ACTOR } from "./helpers/fixtures";
import { freePort } from "./helpers/free-port";
import { signedEvent, startStripeStandIn, STRIPE_TEST_ENV } from "./helpers/stripe-stand-in";

/** The built app with billing on (Stripe played by a local stand-in), driven over HTTP and by the real CLI. */
const stripe = await startStripeStandIn();
const { db, url: databaseUrl } = await createTestDatabase();
const apps: AppProcess[] = [];
async function app(env: Record<string, string>) {
  const port = await freePort();
  const a = startApp({ DATABASE_URL: databaseUrl, BATON_PUBLIC_URL: `http://localhost:${port}`, ...env }, port);
  apps.push(a);
  await waitHealthy(a);
  return a;
}
const hosted = await app({ ...STRIPE_TEST_ENV, STRIPE_API_URL: stripe.url });
afterAll(async () => {
  for (const a of apps) a.child.kill("SIGTERM");
  await Promise.all(apps.map((a) => a.exited));
  await stripe.close();
});

const w = await createWorkspaceWithMembers(db);
const { key } = await w.owner.caller.apiKeys.create({ workspace: w.ws.slug, name: "billing-cli", role: "owner" });
const { deployment } = await upsertDeployment(db, w.ws.id, TEST_ACTOR, { flowName: "nightly-etl", name: "prod", kind: "command", command: "true" });
const MESSAGE = "Plan limit reached: 2,000 runs this month on Hobby. Upgrade in Settings → Billing.";

function cli(args: string[]): Promise<CliResult> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "baton-home-"));
  const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: home, BATON_API_URL: `http://localhost:${hosted.port}`, BATON_API_KEY: key };
  delete env.NODE_OPTIONS;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BATON_BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

const api = (a: AppProcess, method: string, p: string, body?: unknown) =>
  fetch(`${a.url}/api/v1${p}`, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });

describe("billing through the built app", () => {
  it("the 2,001st run of a Hobby month: 402 plan_limit through the API, and the CLI prints the message as is", async () => {
    await db.$client.query("insert into workspace_usage (workspace_id, month, runs) values ($1, $2, 1999)", [w.ws.id, usageMonth(new Date())]);
    const ok = await api(hosted, "POST", `/deployments/${deployment.id}/runs`, {});
    expect(ok.status).toBe(201);
    const refused = await api(hosted, "POST", `/deployments/${deployment.id}/runs`, {});
    expect(refused.status).toBe(402);
    expect(await refused.json()).toMatchObject({ error: { code: "plan_limit", message: MESSAGE } });
    const adhoc = await api(hosted, "POST", "/flow-runs", { flowName: "adhoc" });
    expect(adhoc.status).toBe(402);

    const run = await cli(["run", "nightly-etl/prod"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`Error: ${MESSAGE}`);
    expect((await db.$client.query("select runs from workspace_usage where workspace_id = $1", [w.ws.id])).rows[0].runs).toBe(2000);
  });

  it("a third agent online on Hobby: `baton agent start` stops at registration with the plan_limit message", async () => {
    for (const name of ["laptop", "server"]) expect((await api(hosted, "POST", "/agents", { name, workPool: "default" })).status).toBe(200);
    const third = await cli(["agent", "start", "--name", "third", "--workdir", os.tmpdir()]);
    expect(third.code).not.toBe(0);
    expect(third.stderr).toContain("Error: Plan limit reached: 2 agents online on Hobby. Upgrade in Settings → Billing.");
  });

  it("POST /api/stripe/webhook: a bad signature is 400 and changes nothing; a signed event converges the plan", async () => {
    await db.$client.query("insert into workspace_billing (workspace_id, stripe_customer_id) values ($1, 'cus_http')", [w.ws.id]);
    stripe.setSubscriptions("cus_http", [{ id: "sub_http", status: "active", price: "price_team", created: 1_790_000_000 }]);
    const post = (e: { payload: string; header: string }) =>
      fetch(`${hosted.url}/api/stripe/webhook`, { method: "POST", headers: { "content-type": "application/json", "stripe-signature": e.header }, body: e.payload });
    const forged = await post(signedEvent("checkout.session.completed", { object: "checkout.session", customer: "cus_http" }, { secret: "whsec_nope" }));
    expect(forged.status).toBe(400);
    expect((await forged.json()).error.code).toBe("bad_request");
    expect(stripe.listCalls("cus_http")).toBe(0);
    expect((await db.$client.query("select plan from workspace_billing where workspace_id = $1", [w.ws.id])).rows[0].plan).toBe("hobby");

    const good = signedEvent("checkout.session.completed", { object: "checkout.session", customer: "cus_http" });
    const res = await post(good);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: "processed", plan: "team" });
    expect((await (await post(good)).json()).outcome).toBe("duplicate");
    expect((await db.$client.query("select plan from workspace_billing where workspace_id = $1", [w.ws.id])).rows[0].plan).toBe("team");
    // Team's quota applies at once: the run refused above now goes through.
    expect((await api(hosted, "POST", `/deployments/${deployment.id}/runs`, {})).status).toBe(201);
  });

  it("self-hosted (no STRIPE_SECRET_KEY): no webhook and no billing page, and no run limit", async () => {
    await db.$client.query("update workspace_usage set runs = 500000 where workspace_id = $1", [w.ws.id]);
    const selfHosted = await app({});
    const webhook = await fetch(`${selfHosted.url}/api/stripe/webhook`, { method: "POST", body: "{}" });
    expect(webhook.status).toBe(404);
    expect((await api(selfHosted, "POST", `/deployments/${deployment.id}/runs`, {})).status).toBe(201);
    const page = await fetch(`${selfHosted.url}/w/${w.ws.slug}/settings/billing`, { redirect: "manual" });
    expect([307, 404]).toContain(page.status);
  });
});
