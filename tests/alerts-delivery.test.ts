import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { confirmAlertAddress } from "@/server/alerts/alert-email-subscriptions";
import { verifySignature } from "@/server/alerts/webhook-signature";
import { reloadEnv } from "@/server/env";
import { waitFor } from "./helpers/app-process";
import { startCliEnvironment } from "./helpers/cli";
import { start, type RecordedRequest, type RecordingServer } from "./helpers/recording-server";

// The app and this test process must share the key that seals Slack and webhook URLs.
process.env.BATON_ENCRYPTION_KEY = randomBytes(32).toString("base64");
process.env.BATON_ALLOW_PRIVATE_WEBHOOKS = "1";
reloadEnv();

const resend = await start((req) => (req.path === "/emails/batch" ? { body: { data: [{ id: "re_1" }] } } : { body: { id: "re_1" } }));
const env = await startCliEnvironment({
  appEnv: {
    BATON_ENCRYPTION_KEY: process.env.BATON_ENCRYPTION_KEY,
    BATON_ALLOW_PRIVATE_WEBHOOKS: "1",
    RESEND_API_KEY: "re_test_key",
    RESEND_BASE_URL: resend.url,
  },
});
const slug = env.workspace.ws.slug;
const owner = env.workspace.owner;
const servers: RecordingServer[] = [resend];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** A local stand-in for a Slack webhook or a webhook receiver; `times` are when each request arrived. */
async function receiver(reply: (req: RecordedRequest, n: number) => { status?: number; headers?: Record<string, string>; body?: unknown } | Promise<never> = () => ({ body: "ok" })) {
  const times: number[] = [];
  const server = await start((req) => {
    times.push(Date.now());
    return reply(req, times.length);
  });
  servers.push(server);
  return Object.assign(server, { times });
}

type Action = { kind: "slack"; url: string } | { kind: "webhook"; url: string } | { kind: "email"; userIds?: string[]; roles?: string[]; addresses?: string[] };

async function automate(name: string, deploymentId: string, states: string[], actions: Action[]) {
  return owner.caller.automations.create({
    workspace: slug,
    name,
    triggerKind: "run_state",
    states,
    deploymentIds: [deploymentId],
    actions: actions.map((a) => (a.kind === "email" ? { userIds: [], roles: [], addresses: [], ...a } : a)),
  });
}

const startRun = async (deploymentId: string) => (await env.api("POST", `/deployments/${deploymentId}/runs`, {})).run as { id: string; name: string };
const getRun = async (id: string) => (await env.api("GET", `/flow-runs/${id}`)) as { id: string; name: string; state: { type: string; timestamp: string } };
const settled = async (n: number, server: { requests: unknown[] }, ms = 1500) => {
  await new Promise((r) => setTimeout(r, ms));
  expect(server.requests.length).toBe(n);
};

const agent = env.startAgent(["--limit", "4"]);
afterAll(() => void agent.child.kill("SIGKILL"));

describe("alerts through real runs", () => {
  it("a failed run posts a Block Kit message to Slack within 5 s, with the error and a button to the run", { timeout: 60_000 }, async () => {
    const slack = await receiver();
    const d = await env.deployCommand("nightly-etl", "echo loading rows; echo 'database is gone' >&2; exit 3");
    await automate("ETL failed", d.id, ["Failed"], [{ kind: "slack", url: `${slack.url}/services/T000/B000/XXXX` }]);
    const run = await startRun(d.id);
    const req = await slack.waitForRequest(undefined, 30_000);
    const finished = await getRun(run.id);
    expect(finished.state.type).toBe("FAILED");
    const latencyMs = slack.times[0] - Date.parse(finished.state.timestamp);
    console.info(`[alerts] Slack post ${latencyMs} ms after the run's final state`);
    expect(latencyMs).toBeLessThan(5_000);

    const body = req.body as { text: string; blocks: { type: string; elements?: { type: string; url?: string }[] }[] };
    const everything = JSON.stringify(body.blocks);
    expect(body.text).toContain(run.name);
    expect(everything).toContain("Failed");
    expect(everything).toContain("nightly-etl");
    expect(everything).toContain("database is gone");
    const button = body.blocks.flatMap((b) => b.elements ?? []).find((e) => e.type === "button");
    expect(button?.url).toBe(`${env.apiUrl}/w/${slug}/runs/${run.id}`);
    await settled(1, slack);
  });

  it("a completed run emails the chosen members and the confirmed address through Resend with an idempotency key", { timeout: 60_000 }, async () => {
    const d = await env.deployCommand("publish-model", "echo published");
    await automate("Model published", d.id, ["Completed"], [{ kind: "email", userIds: [owner.user.id], addresses: ["ml-team@example.com"] }]);
    // The address is not a member's: it receives alerts once it confirmed the link Baton mailed it
    // (this test's tRPC caller runs in the test process, without RESEND_API_KEY: the mail is in the outbox).
    const { rows } = await env.db.$client.query<{ text: string }>(`select text from email_messages where "to" = 'ml-team@example.com' and template = 'alert-subscription-confirm'`);
    const token = /confirm\?token=([A-Za-z0-9_-]+)/.exec(rows[0].text)![1];
    expect(await confirmAlertAddress(env.db, token)).toMatchObject({ address: "ml-team@example.com" });
    const run = await startRun(d.id);
    const req = await resend.waitForRequest((r) => r.path === "/emails/batch" && r.rawBody.includes(run.name), 30_000);
    const emails = req.body as { to: string; subject: string; html: string; text: string }[];
    expect(emails.map((e) => e.to).sort()).toEqual([owner.user.email, "ml-team@example.com"].sort());
    expect(emails[0].subject).toMatch(/completed/i);
    expect(emails.find((e) => e.to === "ml-team@example.com")!.text).toContain("/alerts/unsubscribe?token=");
    expect(emails.find((e) => e.to === owner.user.email)!.text).not.toContain("/alerts/unsubscribe");
    expect(emails[0].html).toContain(`/w/${slug}/runs/${run.id}`);
    expect(req.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a webhook is signed so that the documented check verifies it", { timeout: 60_000 }, async () => {
    const hook = await receiver();
    const d = await env.deployCommand("train", "exit 1");
    const saved = await automate("Train failed", d.id, ["Failed"], [{ kind: "webhook", url: `${hook.url}/baton` }]);
    const secret = saved.newSecrets[0].secret;
    const run = await startRun(d.id);
    const req = await hook.waitForRequest(undefined, 30_000);
    expect(verifySignature(secret, String(req.headers["baton-signature"]), req.rawBody)).toBe(true);
    expect(verifySignature(secret, String(req.headers["baton-signature"]), req.rawBody.replace("Failed", "Completed"))).toBe(false);
    expect(req.headers["baton-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
    const body = req.body as { id: string; event: string; run: { id: string } };
    expect(body).toMatchObject({ id: req.headers["baton-delivery"], event: "Failed", run: { id: run.id } });
  });

  it("a 429 with Retry-After: 3 is retried no sooner than 3 s, then delivered exactly once", { timeout: 60_000 }, async () => {
    const hook = await receiver((_req, n) => (n === 1 ? { status: 429, headers: { "retry-after": "3" }, body: "slow down" } : { body: "ok" }));
    const d = await env.deployCommand("rate-limited", "exit 1");
    await automate("Rate limited", d.id, ["Failed"], [{ kind: "webhook", url: hook.url }]);
    await startRun(d.id);
    await waitFor(async () => hook.times.length >= 2, { timeoutMs: 30_000, what: "the retry" });
    expect(hook.times[1] - hook.times[0]).toBeGreaterThanOrEqual(3_000);
    expect(hook.requests[1].headers["baton-delivery"]).toBe(hook.requests[0].headers["baton-delivery"]);
    await settled(2, hook);
  });

  it("after 3 answers of 404 the destination is disabled, later alerts skip it, and owners are emailed", { timeout: 90_000 }, async () => {
    const gone = await receiver(() => ({ status: 404, body: "no_service" }));
    const d = await env.deployCommand("gone-channel", "exit 1");
    const saved = await automate("Gone", d.id, ["Failed"], [{ kind: "slack", url: `${gone.url}/services/T/B/gone` }]);
    for (let i = 0; i < 3; i++) {
      await startRun(d.id);
      await waitFor(async () => gone.requests.length > i, { timeoutMs: 30_000, what: `404 number ${i + 1}` });
    }
    const view = await waitFor(
      async () => {
        const a = await owner.caller.automations.get({ workspace: slug, automationId: saved.automation.id });
        return a.destinations[0].disabledAt ? a : undefined;
      },
      { timeoutMs: 10_000, what: "the destination to be disabled" },
    );
    expect(view.destinations[0].disabledReason).toContain("404");
    await resend.waitForRequest((r) => r.path === "/emails" && JSON.stringify(r.body).includes(owner.user.email) && /stopped|disabled/i.test(r.rawBody), 15_000);
    await startRun(d.id);
    await settled(3, gone, 4_000);
  });

  it("the app killed after sending and before recording sends once more, with the same delivery id", { timeout: 90_000 }, async () => {
    let hold = true;
    const hook = await receiver(() => (hold ? new Promise<never>(() => undefined) : { body: "ok" }));
    const d = await env.deployCommand("crashy", "exit 1");
    await automate("Crash between send and record", d.id, ["Failed"], [{ kind: "webhook", url: hook.url }]);
    await startRun(d.id);
    await hook.waitForRequest(undefined, 30_000);
    await env.crashApp();
    hold = false;
    await env.restartApp();
    await waitFor(async () => hook.requests.length >= 2, { timeoutMs: 45_000, what: "the send after the crash" });
    expect(hook.requests[1].headers["baton-delivery"]).toBe(hook.requests[0].headers["baton-delivery"]);
    expect(hook.requests[1].rawBody).toBe(hook.requests[0].rawBody);
    await settled(2, hook, 3_000);
  });
});
