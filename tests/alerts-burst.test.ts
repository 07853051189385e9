import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { reloadEnv } from "@/server/env";
import { waitFor } from "./helpers/app-process";
import { startCliEnvironment } from "./helpers/cli";
import { start } from "./helpers/recording-server";

// No RESEND_API_KEY here: alert emails go to the development mailbox.
process.env.BATON_ENCRYPTION_KEY = randomBytes(32).toString("base64");
process.env.BATON_ALLOW_PRIVATE_WEBHOOKS = "1";
reloadEnv();

const env = await startCliEnvironment({
  appEnv: { BATON_ENCRYPTION_KEY: process.env.BATON_ENCRYPTION_KEY, BATON_ALLOW_PRIVATE_WEBHOOKS: "1", BATON_DEV_MAILBOX: "1" },
});
const slug = env.workspace.ws.slug;
const owner = env.workspace.owner;

/** Claims `n` due runs of `pool` as an agent and reports them all Failed, in one batch each. */
async function failThroughTheApi(pool: string, n: number) {
  const agent = await env.api("POST", "/agents", { name: `${pool}-reporter`, workPool: pool });
  const { runs } = await env.api("POST", `/work-pools/${pool}/claim`, { agentId: agent.id, slots: n, waitSeconds: 0 });
  expect(runs).toHaveLength(n);
  const report = (type: string) =>
    env.api("POST", "/flow-runs/states", {
      reports: runs.map((r: { id: string; attempt: number; leaseToken: string }) => ({ runId: r.id, attempt: r.attempt, leaseToken: r.leaseToken, transitionId: randomUUID(), state: { type, message: type === "FAILED" ? "exit 1" : undefined } })),
    });
  await report("RUNNING");
  const { results } = await report("FAILED");
  expect(results.every((r: { status: string }) => r.status === "ACCEPT")).toBe(true);
}

/** A pool of its own, a deployment there that always fails, and an automation posting its failures to `slackUrl`. */
async function failingDeploymentWithSlackAlert(pool: string, slackUrl: string) {
  await env.cli(["pools", "create", pool]);
  const d = await env.deployCommand(`${pool}-failures`, "exit 1", pool);
  await owner.caller.automations.create({
    workspace: slug,
    name: `${pool} failures`,
    triggerKind: "run_state",
    states: ["Failed"],
    deploymentIds: [d.id],
    actions: [{ kind: "slack", url: slackUrl }],
  });
  return d;
}

describe("alert delivery without outside accounts, and bursts", () => {
  it("a completed run's alert email lands in the development mailbox when RESEND_API_KEY is unset", { timeout: 60_000 }, async () => {
    const agent = env.startAgent(["--limit", "2"]);
    const d = await env.deployCommand("refresh-features", "echo done");
    await owner.caller.automations.create({
      workspace: slug,
      name: "Features refreshed",
      triggerKind: "run_state",
      states: ["Completed"],
      deploymentIds: [d.id],
      actions: [{ kind: "email", userIds: [], roles: ["owner"], addresses: [] }],
    });
    const run = (await env.api("POST", `/deployments/${d.id}/runs`, {})).run as { id: string; name: string };
    const page = await waitFor(
      async () => {
        const html = await (await fetch(`${env.apiUrl}/dev/mailbox`)).text();
        return html.includes(run.name) ? html : undefined;
      },
      { timeoutMs: 30_000, what: "the alert in the dev mailbox" },
    );
    expect(page).toContain(owner.user.email);
    agent.child.kill("SIGTERM");
    await agent.exited;
  });

  it("each Slack webhook gets at most one message per second: 5 quick failures are 5 posts, a second apart", { timeout: 90_000 }, async () => {
    const times: number[] = [];
    const slack = await start(() => {
      times.push(Date.now());
      return { body: "ok" };
    });
    afterAll(() => slack.close());
    const d = await failingDeploymentWithSlackAlert("paced", `${slack.url}/services/T/B/paced`);
    await Promise.all(Array.from({ length: 5 }, () => env.api("POST", `/deployments/${d.id}/runs`, {})));
    const agent = env.startAgent(["--pool", "paced", "--limit", "5"]);
    await waitFor(async () => times.length >= 5, { timeoutMs: 60_000, what: "five Slack posts" });
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    console.info(`[alerts] gaps between Slack posts: ${gaps.join(", ")} ms`);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(950);
    agent.child.kill("SIGTERM");
    await agent.exited;
  });

  it("50 failures in a burst: at most 5 Slack posts in the first minute, one a digest naming the rest", { timeout: 120_000 }, async () => {
    const slack = await start(() => ({ body: "ok" }));
    afterAll(() => slack.close());
    const d = await failingDeploymentWithSlackAlert("burst", `${slack.url}/services/T/B/burst`);
    const runs = await Promise.all(Array.from({ length: 50 }, async () => (await env.api("POST", `/deployments/${d.id}/runs`, {})).run as { id: string; name: string }));
    // A burst, as an agent reports one: the 50 runs claimed and failed through the API in a moment.
    // (Fifty real processes on a busy 2-core machine spread their failures past the digest's 20 s
    // wait, and the test would measure the machine rather than the burst rule.)
    await failThroughTheApi("burst", runs.length);
    const digest = await slack.waitForRequest((r) => /\b\d+ alerts?\b/.test(JSON.stringify(r.body)), 60_000);
    const firstAt = Date.now();
    await new Promise((r) => setTimeout(r, 4_000));
    const posts = slack.requests.map((r) => JSON.stringify(r.body));
    console.info(`[alerts] 50 failures → ${posts.length} Slack posts in the first minute (the digest carried ${50 - (posts.length - 1)})`);
    expect(posts.length).toBeLessThanOrEqual(5);
    const digestText = JSON.stringify(digest.body);
    const individual = posts.filter((p) => p !== digestText);
    // Every run is named once: in its own message or in the digest.
    for (const run of runs) {
      const inDigest = digestText.includes(run.name);
      const alone = individual.some((p) => p.includes(run.name));
      expect(inDigest || alone, `${run.name} was not reported`).toBe(true);
    }
    expect(digestText).toContain(`${50 - individual.length} alerts`);
    expect(Date.now() - firstAt).toBeLessThan(60_000);
  });
});
