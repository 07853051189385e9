import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { templateNames } from "@/emails";
import type { AlertContext, AlertEventName } from "@/server/alerts/alert-context";
import { alertEmail, destinationDisabledEmail, digestEmail } from "@/server/alerts/alert-email";
import { TEMPLATE_VARIABLES, defaultTemplate, renderMessageTemplate, validateMessageTemplate } from "@/server/alerts/message-template";
import { slackDigestMessage, slackMessage } from "@/server/alerts/slack-message";
import { webhookDigestPayload, webhookPayload } from "@/server/alerts/webhook-payload";
import { generateWebhookSecret, signatureHeader, verifySignature } from "@/server/alerts/webhook-signature";
import { linksInHtml } from "@/server/email/mailbox";
import { renderEmail } from "@/server/email/render-email";

const EVENTS: AlertEventName[] = ["Completed", "Failed", "Crashed", "Cancelled", "Late", "Paused", "RunningTooLong", "NoSuccess", "AgentOffline"];
const BASE = "https://baton.example/w/acme";
const RUN_URL = `${BASE}/runs/0193f1d2-6c1e-7a3b-9c55-1f0e2d3c4b5a`;
const DEPLOYMENT_URL = `${BASE}/deployments/0193f1d2-0000-7000-8000-000000000001`;
const AGENTS_URL = `${BASE}/work-pools/default`;
const AUTOMATION_URL = `${BASE}/automations/0193f1d2-0000-7000-8000-000000000002`;
const ERROR = "KeyError: 'customer_id'";

const STATE_TYPE: Partial<Record<AlertEventName, [string, string]>> = {
  Completed: ["COMPLETED", "Completed"],
  Failed: ["FAILED", "Failed"],
  Crashed: ["CRASHED", "Crashed"],
  Cancelled: ["CANCELLED", "Cancelled"],
  Late: ["SCHEDULED", "Late"],
  Paused: ["PAUSED", "Paused"],
  RunningTooLong: ["RUNNING", "Running"],
};

/** A context as load-alert-context builds it: a run for run events, a deployment or an agent otherwise. */
function context(event: AlertEventName, overrides: Partial<AlertContext> = {}): AlertContext {
  const state = STATE_TYPE[event];
  return {
    event,
    at: "2026-11-26T03:04:12.000Z",
    workspace: { name: "Acme Data", slug: "acme" },
    automation: { id: "0193f1d2-0000-7000-8000-000000000002", name: "ETL alerts", url: AUTOMATION_URL },
    run: state
      ? {
          id: "0193f1d2-6c1e-7a3b-9c55-1f0e2d3c4b5a",
          name: "daring-lemur",
          url: RUN_URL,
          stateType: state[0],
          stateName: state[1],
          stateMessage: event === "Failed" || event === "Crashed" ? ERROR : event === "Cancelled" ? "Cancelled by Grace Hopper" : event === "Paused" ? "Approve the model?" : null,
          flowName: "etl-nightly",
          deploymentName: "nightly",
          durationSeconds: event === "Late" ? null : event === "RunningTooLong" ? 1862 : 252,
          startTime: event === "Late" ? null : "2026-11-26T03:00:00.000Z",
          endTime: event === "Late" || event === "RunningTooLong" ? null : "2026-11-26T03:04:12.000Z",
          scheduledTime: "2026-11-26T03:00:00.000Z",
          attempt: 1,
          tags: ["etl"],
        }
      : null,
    deployment:
      event === "NoSuccess"
        ? { id: "0193f1d2-0000-7000-8000-000000000001", name: "nightly", flowName: "etl-nightly", url: DEPLOYMENT_URL, lastSuccessAt: "2026-11-25T03:04:12.000Z", hours: 24 }
        : null,
    agent:
      event === "AgentOffline"
        ? { id: "0193f1d2-0000-7000-8000-000000000003", name: "worker-1", hostname: "build-01.internal", poolName: "default", lastHeartbeatAt: "2026-11-26T03:00:00.000Z", url: AGENTS_URL }
        : null,
    thresholdMinutes: event === "RunningTooLong" ? 30 : null,
    logLines: state ? ["03:00:01 INFO Extracting 12,408 rows", `03:04:12 ERROR ${ERROR}`] : [],
    test: false,
    ...overrides,
  };
}

/** The page an alert's button leads to. */
function primaryUrl(event: AlertEventName): string {
  return event === "NoSuccess" ? DEPLOYMENT_URL : event === "AgentOffline" ? AGENTS_URL : RUN_URL;
}

describe("message template", () => {
  it("renders each event's default message with the context's values", () => {
    const expected: Record<AlertEventName, string> = {
      Completed: "Run daring-lemur of etl-nightly completed in 4m 12s.",
      Failed: `Run daring-lemur of etl-nightly failed after 4m 12s: ${ERROR}`,
      Crashed: `Run daring-lemur of etl-nightly crashed after 4m 12s: ${ERROR}`,
      Cancelled: "Run daring-lemur of etl-nightly was cancelled after 4m 12s.",
      Late: "Run daring-lemur of etl-nightly is late: it was scheduled for 2026-11-26 03:00 UTC and has not started.",
      Paused: `Run daring-lemur of etl-nightly is waiting for your approval: Approve the model? Answer at ${RUN_URL}`,
      RunningTooLong: "Run daring-lemur of etl-nightly has been running for 31m 02s, longer than 30 minutes.",
      NoSuccess: "No Completed run of deployment nightly (etl-nightly) in the last 24 hours. Last success: 2026-11-25 03:04 UTC.",
      AgentOffline: "Agent worker-1 (build-01.internal, pool default) stopped sending heartbeats. Last seen 2026-11-26 03:00 UTC.",
    };
    for (const event of EVENTS) {
      expect(renderMessageTemplate(null, context(event)), event).toBe(expected[event]);
      expect(renderMessageTemplate("   ", context(event)), event).toBe(expected[event]);
      expect(validateMessageTemplate(defaultTemplate(event)), event).toBeNull();
    }
  });

  it("fills a custom template, with or without spaces, and placeholders for missing values", () => {
    const adHoc = context("Failed");
    adHoc.run = { ...adHoc.run!, deploymentName: null, stateMessage: null };
    expect(renderMessageTemplate("{{ run.name }} / {{flow.name}} / {{  deployment.name }} / {{message}} / {{state}} <{{run.url}}>", adHoc)).toBe(
      `daring-lemur / etl-nightly / (no deployment) / (no message) / Failed <${RUN_URL}>`,
    );
    expect(renderMessageTemplate("{{logs}}", context("Failed"))).toBe(`03:00:01 INFO Extracting 12,408 rows\n03:04:12 ERROR ${ERROR}`);
    expect(renderMessageTemplate("{{agent.name}} {{duration}}", context("Completed"))).toBe("— 4m 12s");
    expect(renderMessageTemplate("{{url}}", context("AgentOffline"))).toBe(AGENTS_URL);
    // A template saved before a variable was removed renders the rest and never throws.
    expect(renderMessageTemplate("{{gone}} {{run.name}} {{", context("Completed"))).toBe("{{gone}} daring-lemur {{");
  });

  it("refuses unknown variables, naming them and listing the valid ones", () => {
    const error = validateMessageTemplate("Run {{run.nme}} failed");
    expect(error).toContain("Unknown variable {{run.nme}}");
    expect(error).toContain("did you mean {{run.name}}");
    expect(error).toContain("Use one of: ");
    for (const v of TEMPLATE_VARIABLES) expect(error).toContain(`{{${v.name}}}`);
    expect(validateMessageTemplate("{{ foo }} and {{bar.baz}}")).toMatch(/^Unknown variables \{\{foo\}\}, \{\{bar\.baz\}\}\. Use one of:/);
  });

  it("refuses unbalanced braces, empty variables and templates over 2,000 characters", () => {
    expect(validateMessageTemplate("Run {{run.name failed")).toMatch(/^Unbalanced braces/);
    expect(validateMessageTemplate("Run run.name}} failed")).toMatch(/^Unbalanced braces/);
    expect(validateMessageTemplate("Run {{ }} failed")).toMatch(/^Empty variable/);
    expect(validateMessageTemplate("x".repeat(2001))).toContain("2,000");
    expect(validateMessageTemplate("x".repeat(2000))).toBeNull();
    expect(validateMessageTemplate('{"run": "{{run.name}}", "at": "{{ at }}"}')).toBeNull();
  });

  it("docs/alerts.md lists exactly TEMPLATE_VARIABLES", () => {
    const doc = fs.readFileSync(path.join(import.meta.dirname, "../docs/alerts.md"), "utf8");
    const documented = [...doc.matchAll(/^\| `\{\{([a-z_.]+)\}\}` \| (.+) \|$/gm)].map((m) => ({ name: m[1], description: m[2] }));
    expect(documented).toEqual(TEMPLATE_VARIABLES);
  });
});

type SlackBlock = { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { type: string; text?: { text: string } | string; url?: string }[] };

function blockTexts(blocks: unknown[]): string[] {
  return (blocks as SlackBlock[]).flatMap((b) => [
    ...(b.text ? [b.text.text] : []),
    ...(b.fields ?? []).map((f) => f.text),
    ...(b.elements ?? []).map((e) => (typeof e.text === "string" ? e.text : (e.text?.text ?? ""))),
  ]);
}

function buttons(blocks: unknown[]) {
  return (blocks as SlackBlock[]).filter((b) => b.type === "actions").flatMap((b) => b.elements ?? []).filter((e) => e.type === "button");
}

function expectWithinSlackLimits(message: { text: string; blocks: unknown[] }) {
  const blocks = message.blocks as SlackBlock[];
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const block of blocks) {
    if (block.type === "header") expect(block.text!.text.length).toBeLessThanOrEqual(150);
    if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
    if (block.fields) {
      expect(block.fields.length).toBeLessThanOrEqual(10);
      for (const f of block.fields) expect(f.text.length).toBeLessThanOrEqual(2000);
    }
    // A cut must never leave a code block open: Slack would show the rest of the message as code.
    if (block.text) expect((block.text.text.match(/```/g) ?? []).length % 2).toBe(0);
  }
  for (const b of buttons(blocks)) expect(b.url!.length).toBeLessThanOrEqual(3000);
  expect(message.text.length).toBeLessThanOrEqual(40_000);
}

describe("Slack", () => {
  it("shows state, flow, deployment, duration, error and logs, with a View run button", () => {
    const ctx = context("Failed");
    const message = slackMessage(ctx, renderMessageTemplate(null, ctx));
    const all = blockTexts(message.blocks).join("\n");
    expect(message.text).toBe(`Run daring-lemur of etl-nightly failed after 4m 12s: ${ERROR}`);
    expect((message.blocks[0] as SlackBlock).type).toBe("header");
    expect((message.blocks[0] as SlackBlock).text!.text).toMatch(/^:x: Failed: etl-nightly \/ daring-lemur$/);
    for (const part of ["*State*\nFailed", "*Flow*\netl-nightly", "*Deployment*\nnightly", "*Duration*\n4m 12s", `<${RUN_URL}|daring-lemur>`]) {
      expect(all).toContain(part);
    }
    expect(all).toContain("*Error*\n```\nKeyError: 'customer_id'\n```");
    expect(all).toContain(`03:04:12 ERROR ${ERROR}`);
    expect(buttons(message.blocks)).toEqual([expect.objectContaining({ text: expect.objectContaining({ text: "View run" }), url: RUN_URL })]);
    expectWithinSlackLimits(message);
  });

  it("labels test deliveries and links non-run events to their page", () => {
    const test = slackMessage(context("Completed", { test: true }), "hello");
    expect((test.blocks[0] as SlackBlock).text!.text).toMatch(/^Test: :white_check_mark: Completed/);
    expect(test.text).toBe("Test: hello");
    expect(blockTexts(slackMessage(context("Completed"), "x").blocks).join("\n")).not.toContain("*Error*");

    const quiet = slackMessage(context("NoSuccess"), "quiet");
    expect(buttons(quiet.blocks)).toEqual([expect.objectContaining({ text: expect.objectContaining({ text: "View deployment" }), url: DEPLOYMENT_URL })]);
    expect(blockTexts(quiet.blocks).join("\n")).toContain("*Window*\n24 hours");
    const offline = slackMessage(context("AgentOffline"), "gone");
    expect(buttons(offline.blocks)).toEqual([expect.objectContaining({ text: expect.objectContaining({ text: "View agents" }), url: AGENTS_URL })]);
    expect(blockTexts(offline.blocks).join("\n")).toContain("*Hostname*\nbuild-01.internal");
  });

  it("escapes Slack markup in names and messages", () => {
    const ctx = context("Failed");
    ctx.run = { ...ctx.run!, flowName: "<!channel> & co", stateMessage: "a < b > c" };
    const { blocks } = slackMessage(ctx, "<@U123> ping");
    // The header is plain_text, where Slack parses no markup; every mrkdwn text must be escaped.
    expect((blocks[0] as SlackBlock).type).toBe("header");
    const all = blockTexts(blocks.slice(1)).join("\n");
    expect(all).not.toMatch(/<!channel>|<@U123>/);
    expect(all).toContain("&lt;!channel&gt; &amp; co");
    expect(all).toContain("a &lt; b &gt; c");
  });

  it("stays within Slack's limits with a 100 KB error and 500 log lines", () => {
    const ctx = context("Crashed");
    const huge = `Traceback (most recent call last):\n${"  File \"x.py\", line 1 & <module> ```\n".repeat(3000)}MemoryError`;
    expect(huge.length).toBeGreaterThan(100_000);
    ctx.run = { ...ctx.run!, stateMessage: huge, flowName: "f".repeat(500), name: "r".repeat(300) };
    ctx.logLines = Array.from({ length: 500 }, (_, i) => `line ${i + 1} ${"&".repeat(i === 499 ? 10 : 400)}`);
    const message = slackMessage(ctx, renderMessageTemplate("{{message}}\n{{logs}}", ctx));
    expectWithinSlackLimits(message);
    const all = blockTexts(message.blocks).join("\n");
    expect(all).toContain("Traceback (most recent call last):");
    expect(all).toContain("line 500 &amp;&amp;");
    expect(all).not.toContain("line 480 ");
    expect(all).not.toMatch(/&a?m?p?…|&…/);
    expect(buttons(message.blocks)[0].url).toBe(RUN_URL);
    expect(JSON.stringify(message).length).toBeLessThan(30_000);
  });

  it("summarises a burst in one digest: counts, the first 100 names with links, and N more", () => {
    const items = Array.from({ length: 120 }, (_, i) => {
      const ctx = context(i % 5 === 4 ? "Crashed" : "Failed");
      ctx.run = { ...ctx.run!, name: `run-${i + 1}`, url: `${BASE}/runs/r${i + 1}` };
      return ctx;
    });
    const digest = slackDigestMessage(items, { name: "Acme Data", slug: "acme" }, BASE);
    expect(digest.text).toBe("120 alerts in the last minute: 96 Failed, 24 Crashed");
    const all = blockTexts(digest.blocks).join("\n");
    for (let i = 1; i <= 100; i++) expect(all).toContain(`<${BASE}/runs/r${i}|run-${i}>`);
    expect(all).not.toContain("|run-101>");
    expect(all).toContain("and 20 more");
    expect(buttons(digest.blocks)).toEqual([expect.objectContaining({ url: `${BASE}/runs` })]);
    expectWithinSlackLimits(digest);
  });
});

describe("webhook", () => {
  it("has a stable JSON body for one alert and for a digest", () => {
    const ctx = context("Failed");
    const body = webhookPayload("delivery-1", { ...ctx, extra: "not for receivers" } as AlertContext, "the message");
    expect(Object.keys(body)).toEqual(["id", "type", "event", "at", "message", "test", "workspace", "automation", "run", "deployment", "agent", "thresholdMinutes", "logLines"]);
    expect(body).toMatchObject({
      id: "delivery-1",
      type: "alert",
      event: "Failed",
      message: "the message",
      test: false,
      workspace: { name: "Acme Data", slug: "acme" },
      run: { name: "daring-lemur", url: RUN_URL, flowName: "etl-nightly", deploymentName: "nightly", state: { type: "FAILED", name: "Failed", message: ERROR }, durationSeconds: 252 },
      deployment: null,
      agent: null,
      logLines: ctx.logLines,
    });
    const digest = webhookDigestPayload("delivery-2", [context("Failed"), context("Crashed"), context("Failed")]);
    expect(digest).toMatchObject({ id: "delivery-2", type: "digest", count: 3, counts: { Failed: 2, Crashed: 1 } });
    const alerts = digest.alerts as Record<string, unknown>[];
    expect(alerts).toHaveLength(3);
    expect(alerts[1]).toMatchObject({ event: "Crashed", message: `Run daring-lemur of etl-nightly crashed after 4m 12s: ${ERROR}` });
    expect(alerts[0]).not.toHaveProperty("id");
  });

  it("signs t.body with HMAC-SHA256 and verifies it, refusing tampering and stale timestamps", () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateWebhookSecret()).not.toBe(secret);
    const body = JSON.stringify(webhookPayload("d1", context("Failed"), "m"));
    const header = signatureHeader(secret, 1_800_000_000, body);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    // Computed with: printf '1.{}' | openssl dgst -sha256 -hmac whsec_known
    expect(signatureHeader("whsec_known", 1, "{}")).toBe("t=1,v1=dbcc408ab79337becd80b837ba8857bd36bed75bfdced88091a65238cb02e043");
    expect(verifySignature(secret, header, body, { now: 1_800_000_100 })).toBe(true);
    expect(verifySignature(secret, header, `${body} `, { now: 1_800_000_100 })).toBe(false);
    expect(verifySignature(`${secret}x`, header, body, { now: 1_800_000_100 })).toBe(false);
    expect(verifySignature(secret, header, body, { now: 1_800_000_301 })).toBe(false);
    expect(verifySignature(secret, header, body, { now: 1_800_000_301, toleranceSeconds: 600 })).toBe(true);
    expect(verifySignature(secret, header.replace("t=1800000000", "t=1800000100"), body, { now: 1_800_000_100 })).toBe(false);
    expect(verifySignature(secret, "garbage", body)).toBe(false);
    expect(verifySignature(secret, signatureHeader(secret, Math.floor(Date.now() / 1000), body), body)).toBe(true);
  });

  describe("the verification recipe in docs/alerts.md", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baton-recipe-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    async function loadRecipe(): Promise<(secret: string, header: string, rawBody: string | Buffer, toleranceSeconds?: number) => boolean> {
      const doc = fs.readFileSync(path.join(import.meta.dirname, "../docs/alerts.md"), "utf8");
      const section = doc.slice(doc.indexOf("### Verifying the signature"));
      const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
      expect(code, "a ```js block under ### Verifying the signature").toBeTruthy();
      const file = path.join(dir, "verify-baton-signature.mjs");
      fs.writeFileSync(file, code!);
      const mod = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { verifyBatonSignature: never };
      return mod.verifyBatonSignature;
    }

    it("verifies a header made by signatureHeader and refuses a tampered body, a wrong secret and a stale timestamp", async () => {
      const verify = await loadRecipe();
      const secret = generateWebhookSecret();
      const body = JSON.stringify(webhookPayload("d1", context("Failed"), "Ünïcödé ✓ message"));
      const now = Math.floor(Date.now() / 1000);
      const header = signatureHeader(secret, now, body);
      expect(verify(secret, header, body)).toBe(true);
      expect(verify(secret, header, Buffer.from(body, "utf8"))).toBe(true);
      expect(verify(secret, header, body.replace("daring-lemur", "daring-lemus"))).toBe(false);
      expect(verify(generateWebhookSecret(), header, body)).toBe(false);
      expect(verify(secret, signatureHeader(secret, now - 301, body), body)).toBe(false);
      expect(verify(secret, signatureHeader(secret, now - 200, body), body)).toBe(true);
      expect(verify(secret, signatureHeader(secret, now - 1000, body), body, 3600)).toBe(true);
      expect(verify(secret, "", body)).toBe(false);
      expect(verify(secret, `t=${now},v1=zz`, body)).toBe(false);
    });
  });
});

describe("email", () => {
  it("renders every event's email with the message, the link to its page and the automation", async () => {
    const used = new Set<string>();
    for (const event of EVENTS) {
      const ctx = context(event);
      const message = renderMessageTemplate(null, ctx);
      const { template, props } = alertEmail(ctx, message);
      used.add(template);
      const email = await renderEmail(template, props);
      expect(linksInHtml(email.html), event).toContain(primaryUrl(event));
      expect(linksInHtml(email.html), event).toContain(AUTOMATION_URL);
      expect(email.text, event).toContain(primaryUrl(event));
      expect(email.text, event).toContain(message.slice(0, 40));
      expect(email.text, event).toContain("ETL alerts");
      expect(email.subject, event).not.toMatch(/^Test/);

      const test = alertEmail(context(event, { test: true }), message);
      const testEmail = await renderEmail(test.template, test.props);
      expect(testEmail.subject, event).toMatch(/^Test: /);
      expect(testEmail.text, event).toContain("Send test");
    }
    expect(used).toEqual(new Set(["alert-run-completed", "alert-run-failed", "alert-run-late", "alert-run-running-long", "alert-no-success", "alert-agent-offline"]));
  });

  it("puts the error and the last log lines of a failed run in monospace blocks; Cancelled says so", async () => {
    const failed = alertEmail(context("Failed"), "boom");
    expect(failed.template).toBe("alert-run-failed");
    const email = await renderEmail(failed.template, failed.props);
    expect(email.subject).toBe("Failed: daring-lemur of etl-nightly");
    expect(email.html).toMatch(/monospace[^>]*>KeyError: &#x27;customer_id&#x27;/);
    expect(email.text).toContain(`03:00:01 INFO Extracting 12,408 rows\n03:04:12 ERROR ${ERROR}`);

    const cancelled = alertEmail(context("Cancelled"), "stopped");
    expect(cancelled).toMatchObject({ template: "alert-run-failed", props: { event: "Cancelled", error: "Cancelled by Grace Hopper" } });
    const cancelledEmail = await renderEmail(cancelled.template, cancelled.props);
    expect(cancelledEmail.subject).toBe("Cancelled: daring-lemur of etl-nightly");
    expect(cancelledEmail.text).toContain("Run daring-lemur was cancelled");
    expect(cancelledEmail.text).toContain("Reason");
  });

  it("renders odd input (control characters, a 100 KB error, 500 log lines, a deleted run) without throwing", async () => {
    const ctx = context("Crashed");
    ctx.run = { ...ctx.run!, name: "a\nb\tc", flowName: "x".repeat(1000), stateMessage: "E".repeat(100_000) };
    ctx.logLines = Array.from({ length: 500 }, (_, i) => `line ${i + 1}`);
    const { template, props } = alertEmail(ctx, "M".repeat(50_000));
    const email = await renderEmail(template, props);
    expect(email.subject).toContain("Crashed: a b c of xxx");
    expect(email.text).toContain("line 500");
    expect(email.text).not.toContain("line 480\n");

    const orphan = alertEmail(context("Failed", { run: null }), "");
    const orphanEmail = await renderEmail(orphan.template, orphan.props);
    expect(linksInHtml(orphanEmail.html)).toContain(AUTOMATION_URL);
  });

  it("summarises a digest with run links and N more, linking to the runs page", async () => {
    const items = Array.from({ length: 120 }, (_, i) => {
      const ctx = context(i < 96 ? "Failed" : "Crashed");
      ctx.run = { ...ctx.run!, name: `run-${i + 1}`, url: `${BASE}/runs/r${i + 1}` };
      return ctx;
    });
    const { template, props } = digestEmail(items, { name: "Acme Data", slug: "acme" }, BASE);
    const email = await renderEmail(template, props);
    expect(email.subject).toBe("120 alerts in Acme Data: 96 Failed, 24 Crashed");
    const links = linksInHtml(email.html);
    expect(links).toContain(`${BASE}/runs`);
    expect(links).toContain(`${BASE}/runs/r1`);
    expect(links).toContain(`${BASE}/runs/r100`);
    expect(links).not.toContain(`${BASE}/runs/r101`);
    expect(links).toContain(AUTOMATION_URL);
    expect(email.text).toContain("and 20 more");
  });

  it("tells owners which destination was disabled, why, and where to re-enable it", async () => {
    const { template, props } = destinationDisabledEmail({
      workspaceName: "Acme Data",
      automationName: "ETL alerts",
      automationUrl: AUTOMATION_URL,
      target: "hooks.slack.com/…/x7Qa",
      reason: "It answered HTTP 404: no_service\n 3 times in a row, so Baton stopped sending to it.",
    });
    const email = await renderEmail(template, props);
    expect(email.subject).toBe("Alerts stopped: hooks.slack.com/…/x7Qa of automation ETL alerts");
    expect(email.text).toContain("Baton stopped sending to hooks.slack.com/…/x7Qa of the automation ETL alerts");
    expect(email.text).toContain("HTTP 404: no_service 3 times");
    expect(linksInHtml(email.html)).toContain(AUTOMATION_URL);
    const empty = destinationDisabledEmail({ workspaceName: "A", automationName: "B", automationUrl: AUTOMATION_URL, target: "example.com/…", reason: "" });
    await expect(renderEmail(empty.template, empty.props)).resolves.toBeTruthy();
  });

  it("registers every alert template", () => {
    for (const name of ["alert-run-completed", "alert-run-failed", "alert-run-late", "alert-run-running-long", "alert-no-success", "alert-agent-offline", "alert-digest", "alert-destination-disabled"]) {
      expect(templateNames).toContain(name);
    }
  });
});
