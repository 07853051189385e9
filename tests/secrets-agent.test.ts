import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { waitFor } from "./helpers/app-process";
import { signInToApp } from "./helpers/app-sign-in";
import { startCliEnvironment } from "./helpers/cli";

const env = await startCliEnvironment();
const slug = env.workspace.ws.slug;
const owner = env.workspace.owner.caller;

const sha = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 16);
const logsOf = async (id: string): Promise<string[]> => (await env.api("GET", `/flow-runs/${id}/logs?limit=1000`)).logs.map((l: { message: string }) => l.message);
const startRun = async (deploymentId: string) => (await env.api("POST", `/deployments/${deploymentId}/runs`, { parameters: {} })).run as { id: string };
const ended = (id: string) =>
  waitFor(
    async () => {
      const run = await env.api("GET", `/flow-runs/${id}`);
      return ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"].includes(run.state.type) ? run : undefined;
    },
    { timeoutMs: 30_000, what: `run ${id} to end` },
  );

async function setSecret(name: string, value: string) {
  const res = await env.cli(["secret", "set", name], { input: `${value}\n` });
  expect(res.stderr).toBe("");
  expect(res.stdout).toContain(`Secret "${name}" saved`);
  expect(res.stdout).not.toContain(value);
}

describe("a deployment's env on a real agent", () => {
  it("a run gets literals, variables and secrets; a changed secret reaches the next run; a deleted one fails the next run before it starts", { timeout: 90_000 }, async () => {
    await setSecret("api-token", "first-token-value");
    expect((await env.cli(["variable", "set", "bucket", "s3://data"])).stdout).toContain('"s3://data"');
    expect((await env.cli(["variable", "set", "regions", '["eu-west-1","us-east-1"]', "--json"])).code).toBe(0);
    expect((await env.cli(["variable", "get", "regions"])).stdout.trim()).toBe('["eu-west-1","us-east-1"]');
    const deployed = await env.cli([
      "deploy",
      "--command",
      'echo "mode=$MODE bucket=$BUCKET regions=$REGIONS token=$(printf %s "$TOKEN" | sha256sum | cut -c1-16)"',
      "--name",
      "uses-env",
      "--env",
      "MODE=prod",
      "--env",
      "BUCKET={{ variables.bucket }}",
      "--env",
      "REGIONS={{ variables.regions }}",
      "--env",
      "TOKEN={{ secrets.api-token }}",
      "--json",
    ]);
    expect(deployed.stderr).toBe("");
    const d = JSON.parse(deployed.stdout)[0].deployment as { id: string };
    const agent = env.startAgent(["--limit", "1"]);

    const first = await startRun(d.id);
    expect((await ended(first.id)).state.type).toBe("COMPLETED");
    expect(await logsOf(first.id)).toEqual([`mode=prod bucket=s3://data regions=["eu-west-1","us-east-1"] token=${sha("first-token-value")}`]);

    await setSecret("api-token", "second-token-value");
    const second = await startRun(d.id);
    expect((await ended(second.id)).state.type).toBe("COMPLETED");
    expect((await logsOf(second.id))[0]).toContain(`token=${sha("second-token-value")}`);

    const listed = await env.cli(["secret", "ls"]);
    expect(listed.stdout).toContain("api-token");
    expect(listed.stdout).toContain("uses-env/uses-env");
    expect((await env.cli(["secret", "rm", "api-token"])).stdout).toContain('Deleted secret "api-token"');
    const third = await startRun(d.id);
    const failed = await ended(third.id);
    expect(failed.state).toMatchObject({ type: "FAILED" });
    expect(failed.state.message).toContain('secret "api-token" that deployment uses-env/uses-env uses in env TOKEN no longer exists');
    expect(await logsOf(third.id)).toEqual([]);
    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
  });

  it("a flow reads what its deployment declares from code; what it logs and its error are masked", { timeout: 90_000 }, async () => {
    await setSecret("code-secret", "code-secret-value-123");
    await setSecret("env-secret", "env-secret-value-456");
    await setSecret("undeclared", "undeclared-value-789");
    await env.cli(["variable", "set", "bucket", "s3://code"]);
    const { deployment: d } = await env.api("PUT", "/deployments", {
      flowName: "secret-reader",
      name: "reader",
      kind: "flow",
      entrypoint: "secret-reader.ts:secretReader",
      env: { ENV_SECRET: "{{ secrets.env-secret }}", B: "{{ variables.bucket }}" },
      secrets: ["code-secret"],
    });
    const agent = env.startAgent(["--limit", "1"]);
    const run = await startRun(d.id);
    const done = await ended(run.id);
    expect(done.state.type).toBe("FAILED");
    expect(done.state.message).toContain("could not log in with ***");
    expect(done.state.message).not.toContain("env-secret-value");
    const lines = await logsOf(run.id);
    expect(lines.join("\n")).not.toMatch(/secret-value|undeclared-value/);
    expect(lines).toEqual(expect.arrayContaining(["code secret is ***, bucket is s3://code", expect.stringContaining("not declared by this run's deployment")]));
    agent.child.kill("SIGTERM");
    await agent.exited;
  });

  it("the CLI: a secret's value is never an argument; --from-file; variables as text or JSON; ls and rm", { timeout: 60_000 }, async () => {
    const asArgument = await env.cli(["secret", "set", "cli-secret", "hunter2"]);
    expect(asArgument.code).toBe(2);
    expect(asArgument.stderr).toContain("The value is never an argument");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "baton-secret-")), "key.pem");
    fs.writeFileSync(file, "-----BEGIN KEY-----\nabc\n-----END KEY-----\n");
    expect((await env.cli(["secret", "set", "cli-secret", "--from-file", file])).code).toBe(0);
    const { value } = await env.api("GET", "/secrets/cli-secret/value");
    expect(value).toBe("-----BEGIN KEY-----\nabc\n-----END KEY-----\n");
    expect((await env.cli(["secret", "set", "cli-empty"], { input: "" })).stderr).toContain("The secret's value is empty");
    const listed = await env.cli(["secret", "ls", "--json"]);
    expect(JSON.parse(listed.stdout).map((x: { name: string }) => x.name)).toContain("cli-secret");
    expect(listed.stdout).not.toContain("BEGIN KEY");
    expect((await env.cli(["secret", "rm", "cli-secret"])).code).toBe(0);
    expect((await env.cli(["secret", "rm", "cli-secret"])).stderr).toContain('No secret named "cli-secret"');

    expect((await env.cli(["variable", "set", "cli-threshold", "0.75"])).code).toBe(0);
    expect((await env.cli(["variable", "get", "cli-threshold", "--json"])).stdout.trim()).toBe('"0.75"');
    expect((await env.cli(["variable", "set", "cli-threshold", "0.75", "--json"])).code).toBe(0);
    expect((await env.cli(["variable", "get", "cli-threshold", "--json"])).stdout.trim()).toBe("0.75");
    const bad = await env.cli(["variable", "set", "cli-threshold", "{oops", "--json"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("is not JSON");
    const badName = await env.cli(["variable", "set", "Bad.Name", "x"]);
    expect(badName.code).not.toBe(0);
    expect(badName.stderr).toContain("lowercase letters");
    expect((await env.cli(["variable", "ls"])).stdout).toMatch(/cli-threshold\s+0\.75/);
    expect((await env.cli(["variable", "rm", "cli-threshold"])).code).toBe(0);
    expect((await env.cli(["variable", "ls"])).stdout).not.toContain("cli-threshold");
  });

  it("a reference to a secret that does not exist, or a typo, refuses the deploy naming it", async () => {
    const missing = await env.cli(["deploy", "--command", "true", "--name", "refused", "--env", "KEY={{ secrets.no-such-secret }}"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('secret "no-such-secret"');
    const typo = await env.cli(["deploy", "--command", "true", "--name", "refused", "--env", "KEY={{ secret.no-such-secret }}"]);
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toContain("is not a reference");
    expect((await env.api("GET", "/deployments")).deployments.map((x: { name: string }) => x.name)).not.toContain("refused");
  });

  it("a secret's value appears nowhere but sealed: API and UI answers, CLI, logs, audit log, live events, every table, the server's output", { timeout: 90_000 }, async () => {
    const value = `leak-${randomUUID()}`;
    await setSecret("leak-check", value);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baton-leak-"));
    fs.writeFileSync(
      path.join(dir, "baton.yaml"),
      [
        "deployments:",
        "  - name: leaky",
        `    command: 'echo "the token is $LEAK"; echo "in a url: https://x.test/?t=$LEAK"; echo "failing with $LEAK" >&2; exit 3'`,
        "    env:",
        "      LEAK: '{{ secrets.leak-check }}'",
        "      PORT: 8080",
      ].join("\n"),
    );
    const deployed = await env.cli(["deploy", "--json"], { cwd: dir });
    expect(deployed.stderr).toBe("");
    const d = JSON.parse(deployed.stdout)[0].deployment as { id: string; env: Record<string, string> };
    expect(d.env).toEqual({ LEAK: "{{ secrets.leak-check }}", PORT: "8080" });
    // The browser's live stream, open while the run happens: its raw text is searched too.
    const cookie = await signInToApp(env.apiUrl, env.workspace.owner.user.email);
    const live = new AbortController();
    const stream = await fetch(`${env.apiUrl}/api/w/${slug}/events`, { headers: { cookie }, signal: live.signal });
    expect(stream.status).toBe(200);
    let liveText = "";
    void (async () => {
      try {
        for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) liveText += Buffer.from(chunk).toString();
      } catch {
        // aborted below
      }
    })();
    const agent = env.startAgent(["--limit", "1"]);
    const run = await startRun(d.id);
    const done = await ended(run.id);
    expect(done.state.type).toBe("FAILED");
    await waitFor(async () => liveText.includes(run.id), { timeoutMs: 10_000, what: "the run's live events" });
    live.abort();
    expect(liveText).not.toContain(value);
    expect(await logsOf(run.id)).toEqual(["the token is ***", "in a url: https://x.test/?t=***", "failing with ***"]);
    // The run read the secret once (at its claim): one audit event, without the value.
    agent.child.kill("SIGTERM");
    await agent.exited;

    const answers = [
      await env.api("GET", "/secrets"),
      await env.api("GET", "/secrets/leak-check"),
      await env.api("GET", "/variables"),
      await env.api("GET", "/deployments"),
      await env.api("GET", `/deployments/${d.id}`),
      await env.api("GET", `/flow-runs/${run.id}`),
      await env.api("GET", `/flow-runs/${run.id}/logs?limit=1000`),
      await owner.secrets.list({ workspace: slug }),
      await owner.deployments.get({ workspace: slug, deploymentId: d.id }),
      await owner.runs.get({ workspace: slug, runId: run.id }),
      await owner.runs.history({ workspace: slug, runId: run.id }),
      await owner.runs.logs({ workspace: slug, runId: run.id }),
      await owner.audit.list({ workspace: slug, limit: 200 }),
      (await env.cli(["secret", "ls", "--json"])).stdout,
      (await env.cli(["runs", "logs", run.id])).stdout,
      (await env.cli(["deployments", "ls", "--json"])).stdout,
    ];
    for (const [i, a] of answers.entries()) expect(JSON.stringify(a), `answer ${i}`).not.toContain(value);
    const audit = await owner.audit.list({ workspace: slug, limit: 200 });
    expect(audit.items.filter((e) => e.action === "secret.read" && e.targetLabel === "leak-check")).toHaveLength(1);

    // Every row of every table, as text: only the sealed form (which does not contain the value).
    const { rows: tables } = await env.db.$client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'");
    expect(tables.length).toBeGreaterThan(20);
    for (const { table_name } of tables) {
      const { rows } = await env.db.$client.query(`select count(*)::int as n from "${table_name}" t where t::text like '%' || $1 || '%'`, [value]);
      expect(rows[0].n, table_name).toBe(0);
    }
    const { rows: sealed } = await env.db.$client.query("select sealed_value from secrets where name = 'leak-check'");
    expect(sealed[0].sealed_value).toMatch(/^v1\./);
    expect(env.app.output()).not.toContain(value);
    expect(agent.output?.() ?? "").not.toContain(value);
  });
});
