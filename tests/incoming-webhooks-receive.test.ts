import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { flowRuns } from "../server/db/schema";
import { startApiServer } from "./helpers/api-server";
import { createTestDatabase } from "./helpers/db";
import { callHook, createEndpoint, githubSignature, requestLog, stripeSignature } from "./helpers/incoming-webhooks";
import { claim, deploy, orchestrationWorkspace } from "./helpers/orchestration";

const { db } = await createTestDatabase();
const api = await startApiServer(db);

const PUSH = JSON.stringify({ ref: "refs/heads/main", after: "9f2c1e0", repository: { full_name: "acme/models" }, commits: [{ id: "9f2c1e0", message: "retrain" }] });
const SCHEMA = { type: "object", properties: { ref: { type: "string" }, sha: { type: "string" }, event: { type: "string" }, epochs: { type: "integer" } }, required: ["ref", "sha"] };

async function runsOf(deploymentId: string) {
  return db.select().from(flowRuns).where(eq(flowRuns.deploymentId, deploymentId));
}

async function githubEndpoint(w: Awaited<ReturnType<typeof orchestrationWorkspace>>, extra: Record<string, unknown> = {}) {
  const d = await deploy(api, w.key, { parameterSchema: SCHEMA, parameters: { epochs: 3 } });
  const created = await createEndpoint(api, w.key, {
    deploymentId: d.id,
    signatureScheme: "github",
    parameterTemplate: { ref: "{{ body.ref }}", sha: "{{ body.commits.0.id }}", event: "{{ headers.x-github-event }}" },
    ...extra,
  });
  return { d, ...created, secret: created.secret! };
}

describe("incoming webhooks: receiving a call", () => {
  it("a GitHub push with a good signature makes one run with the templated parameters, started by the webhook", async () => {
    const w = await orchestrationWorkspace(db, api);
    const { d, hook, path, secret } = await githubEndpoint(w);
    expect(secret).toMatch(/^whsec_/);
    const res = await callHook(api.base, path, PUSH, { "x-hub-signature-256": githubSignature(secret, PUSH), "x-github-event": "push", "x-github-delivery": "d-1" });
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    expect(res.json).toMatchObject({ created: true, runId: expect.any(String) });

    const runs = await runsOf(d.id);
    expect(runs).toHaveLength(1);
    expect(runs[0].id).toBe(res.json.runId);
    expect(runs[0].parameters).toEqual({ epochs: 3, ref: "refs/heads/main", sha: "9f2c1e0", event: "push" });
    expect(runs[0].createdBy).toBe(`webhook:${hook.name}`);
    const run = await api.call("GET", `/api/v1/flow-runs/${res.json.runId}`, { key: w.key });
    expect(run.json.origin).toEqual({ kind: "webhook", endpointId: hook.id, endpointName: hook.name, requestId: res.json.requestId });

    const [logged] = await requestLog(api, w.key, hook.id);
    expect(logged).toMatchObject({ outcome: "run_created", status: 202, runId: res.json.runId, deliveryId: "d-1", body: PUSH });
    expect(logged.headers["x-hub-signature-256"]).toBe("[redacted]");
    expect(logged.headers["x-github-event"]).toBe("push");

    // The run is claimable by the deployment's pool at once.
    const [claimed] = await claim(api, w.agentKey, w.agentId);
    expect(claimed.id).toBe(res.json.runId);
  });

  it("a bad or missing signature makes no run: 401, logged", async () => {
    const w = await orchestrationWorkspace(db, api);
    const { d, hook, path, secret } = await githubEndpoint(w);
    const wrong = await callHook(api.base, path, PUSH, { "x-hub-signature-256": githubSignature("whsec_not-the-secret", PUSH) });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.message).toContain("does not match");
    // Signed over other bytes (re-encoded JSON): refused, the check is over the raw body.
    const reencoded = await callHook(api.base, path, JSON.stringify(JSON.parse(PUSH), null, 2), { "x-hub-signature-256": githubSignature(secret, PUSH) });
    expect(reencoded.status).toBe(401);
    const missing = await callHook(api.base, path, PUSH);
    expect(missing.status).toBe(401);
    expect(missing.json.error.message).toContain("X-Hub-Signature-256");
    expect(await runsOf(d.id)).toHaveLength(0);
    const log = await requestLog(api, w.key, hook.id);
    expect(log.map((r) => r.outcome)).toEqual(["refused_signature", "refused_signature", "refused_signature"]);
  });

  it("the same delivery id twice makes one run and answers its id both times", async () => {
    const w = await orchestrationWorkspace(db, api);
    const { d, hook, path, secret } = await githubEndpoint(w);
    const headers = { "x-hub-signature-256": githubSignature(secret, PUSH), "x-github-event": "push", "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958" };
    const first = await callHook(api.base, path, PUSH, headers);
    const again = await callHook(api.base, path, PUSH, headers);
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.json).toMatchObject({ runId: first.json.runId, created: false });
    expect(await runsOf(d.id)).toHaveLength(1);
    expect((await requestLog(api, w.key, hook.id)).map((r) => r.outcome)).toEqual(["duplicate", "run_created"]);
    // A delivery id is scoped to its endpoint: another endpoint with the same id makes its own run.
    const other = await createEndpoint(api, w.key, { deploymentId: d.id, parameterTemplate: { ref: "x", sha: "y" } });
    const elsewhere = await callHook(api.base, other.path, "{}", { "idempotency-key": headers["x-github-delivery"] });
    expect(elsewhere.json.created).toBe(true);
  });

  it("a template that names a missing body field is refused: 422, logged with the message, no run", async () => {
    const w = await orchestrationWorkspace(db, api);
    const { d, hook, path, secret } = await githubEndpoint(w);
    const noCommits = JSON.stringify({ ref: "refs/tags/v1", commits: [] });
    const res = await callHook(api.base, path, noCommits, { "x-hub-signature-256": githubSignature(secret, noCommits) });
    expect(res.status).toBe(422);
    expect(res.json.error.message).toContain("{{ body.commits.0.id }}");
    expect(await runsOf(d.id)).toHaveLength(0);
    const [logged] = await requestLog(api, w.key, hook.id);
    expect(logged.outcome).toBe("refused_template");
    expect(logged.message).toContain("body.commits.0.id");
  });

  it("rendered parameters that break the deployment's schema are refused: 422 refused_parameters", async () => {
    const w = await orchestrationWorkspace(db, api);
    const d = await deploy(api, w.key, { parameterSchema: SCHEMA });
    const { hook, path } = await createEndpoint(api, w.key, { deploymentId: d.id, parameterTemplate: { ref: "{{ body.ref }}", sha: "{{ body.sha }}" } });
    const res = await callHook(api.base, path, JSON.stringify({ ref: "main", sha: 42 }));
    expect(res.status).toBe(422);
    expect(res.json.error.message).toContain("sha");
    expect(await runsOf(d.id)).toHaveLength(0);
    expect((await requestLog(api, w.key, hook.id))[0].outcome).toBe("refused_parameters");
  });

  it("over the rate limit answers 429 with Retry-After, counted in Postgres", async () => {
    const w = await orchestrationWorkspace(db, api);
    const d = await deploy(api, w.key);
    const { hook, path } = await createEndpoint(api, w.key, { deploymentId: d.id, rateLimitPerMinute: 3 });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await callHook(api.base, path, "{}");
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get("retry-after");
    }
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    expect(await runsOf(d.id)).toHaveLength(3);
    expect((await requestLog(api, w.key, hook.id)).filter((r) => r.outcome === "rate_limited")).toHaveLength(2);
  });

  it("a disabled endpoint refuses with 409 and a clear message, logged; enabled again it runs", async () => {
    const w = await orchestrationWorkspace(db, api);
    const d = await deploy(api, w.key);
    const { hook, path } = await createEndpoint(api, w.key, { deploymentId: d.id });
    expect((await api.call("PATCH", `/api/v1/incoming-webhooks/${hook.id}`, { key: w.key, body: { enabled: false } })).json.incomingWebhook.enabled).toBe(false);
    const refused = await callHook(api.base, path, "{}");
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: "endpoint_disabled", message: expect.stringContaining("disabled") });
    expect(await runsOf(d.id)).toHaveLength(0);
    expect((await requestLog(api, w.key, hook.id))[0].outcome).toBe("disabled");
    await api.call("PATCH", `/api/v1/incoming-webhooks/${hook.id}`, { key: w.key, body: { enabled: true } });
    expect((await callHook(api.base, path, "{}")).status).toBe(202);
  });

  it("rotate makes the old URL answer 404 and the old secret fail; the new ones work", async () => {
    const w = await orchestrationWorkspace(db, api);
    const { d, hook, path, secret } = await githubEndpoint(w);
    const rotated = await api.call("POST", `/api/v1/incoming-webhooks/${hook.id}/rotate`, { key: w.key });
    expect(rotated.status).toBe(200);
    const newPath = new URL(rotated.json.incomingWebhook.url).pathname;
    const newSecret = rotated.json.secret as string;
    expect(newPath).not.toBe(path);
    expect(newSecret).not.toBe(secret);
    const old = await callHook(api.base, path, PUSH, { "x-hub-signature-256": githubSignature(secret, PUSH) });
    expect(old.status).toBe(404);
    expect(old.json.error.message).toContain("rotated");
    expect((await callHook(api.base, newPath, PUSH, { "x-hub-signature-256": githubSignature(secret, PUSH) })).status).toBe(401);
    expect((await callHook(api.base, newPath, PUSH, { "x-hub-signature-256": githubSignature(newSecret, PUSH), "x-github-event": "push" })).status).toBe(202);
    expect(await runsOf(d.id)).toHaveLength(1);
  });

  it("Stripe signatures: a good one within 5 minutes runs, an old timestamp is refused; the event id is the delivery id", async () => {
    const w = await orchestrationWorkspace(db, api);
    const d = await deploy(api, w.key);
    // Stripe makes its own signing secret: it is pasted in, and not echoed back.
    const secret = "whsec_stripeMadeThisOne0123456789";
    const { hook, path, secret: echoed } = await createEndpoint(api, w.key, { deploymentId: d.id, signatureScheme: "stripe", secret, parameterTemplate: { customer: "{{ body.data.object.customer }}" } });
    expect(echoed).toBeNull();
    const event = JSON.stringify({ id: "evt_1", type: "invoice.paid", data: { object: { customer: "cus_9" } } });
    const ok = await callHook(api.base, path, event, { "stripe-signature": stripeSignature(secret, event) });
    expect(ok.status, JSON.stringify(ok.json)).toBe(202);
    const retry = await callHook(api.base, path, event, { "stripe-signature": stripeSignature(secret, event) });
    expect(retry.json).toMatchObject({ runId: ok.json.runId, created: false });
    const stale = await callHook(api.base, path, event, { "stripe-signature": stripeSignature(secret, event, Math.floor(Date.now() / 1000) - 600) });
    expect(stale.status).toBe(401);
    expect(stale.json.error.message).toContain("replay");
    const runs = await runsOf(d.id);
    expect(runs.map((r) => r.parameters)).toEqual([{ customer: "cus_9" }]);
    expect((await requestLog(api, w.key, hook.id)).map((r) => r.outcome)).toEqual(["refused_signature", "duplicate", "run_created"]);
  });

  it("form-encoded GitHub payloads, query strings and text bodies reach the template; oversized and bad JSON bodies are refused and logged", async () => {
    const w = await orchestrationWorkspace(db, api);
    const d = await deploy(api, w.key);
    const { hook, path } = await createEndpoint(api, w.key, { deploymentId: d.id, parameterTemplate: { ref: "{{ body.ref }}", env: "{{ query.env }}" } });
    const form = `payload=${encodeURIComponent(JSON.stringify({ ref: "refs/heads/dev" }))}`;
    const res = await callHook(api.base, `${path}?env=staging`, form, { "content-type": "application/x-www-form-urlencoded" });
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    expect((await runsOf(d.id))[0].parameters).toEqual({ ref: "refs/heads/dev", env: "staging" });

    const text = await createEndpoint(api, w.key, { deploymentId: d.id, parameterTemplate: { note: "{{ body }}" } });
    expect((await callHook(api.base, text.path, "plain words", { "content-type": "text/plain" })).status).toBe(202);

    const bad = await callHook(api.base, path, "{not json");
    expect(bad.status).toBe(400);
    const big = await callHook(api.base, path, JSON.stringify({ ref: "x".repeat(300 * 1024) }));
    expect(big.status).toBe(413);
    const log = await requestLog(api, w.key, hook.id);
    expect(log.slice(0, 2).map((r) => [r.outcome, r.status])).toEqual([["refused_body", 413], ["refused_body", 400]]);
    expect(await runsOf(d.id)).toHaveLength(2);
  });

  it("an agent's waiting claim gets each webhook run at once: writing the request log never hides the run from it", async () => {
    const w = await orchestrationWorkspace(db, api);
    const d = await deploy(api, w.key);
    const { path } = await createEndpoint(api, w.key, { deploymentId: d.id, rateLimitPerMinute: 1000 });
    for (let i = 0; i < 30; i++) {
      const started = Date.now();
      const claimed = api.call("POST", "/api/v1/work-pools/default/claim", { key: w.agentKey, body: { agentId: w.agentId, slots: 1, waitSeconds: 10 } });
      const res = await callHook(api.base, path, "{}", { "idempotency-key": `wake-${i}` });
      const { json } = await claimed;
      expect(json.runs[0]?.id, `call ${i}`).toBe(res.json.runId);
      // A claim that skipped the run sleeps out its whole 10 s wait; 5 s is a generous guard.
      expect(Date.now() - started, `call ${i}`).toBeLessThan(5_000);
    }
  });

  it("an unknown URL and a GET answer JSON errors", async () => {
    const missing = await callHook(api.base, "/hooks/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "{}");
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("not_found");
    const get = await fetch(`${api.base}/hooks/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
    expect(get.status).toBe(405);
  });
});
