import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { waitFor } from "../helpers/app-process";
import { startCliEnvironment } from "../helpers/cli";

const env = await startCliEnvironment();
const { ws, owner } = env.workspace;

const logsOf = async (id: string): Promise<string[]> => (await env.api("GET", `/flow-runs/${id}/logs?limit=1000`)).logs.map((l: { message: string }) => l.message);

// From the run's side: its parent is the runner, whose parent is the agent. It prints its own and
// the agent's Baton variables and anything that looks like an API key (never the command itself,
// which is in BATON_COMMAND).
const PROBE = [
  "agent=$(sed -n 's/^PPid:[[:space:]]*//p' /proc/$PPID/status)",
  'echo "agent pid $agent"',
  "echo '-- run env'",
  "env | grep -E '^BATON_|bt_' | grep -v '^BATON_COMMAND='",
  "echo '-- agent env'",
  "tr '\\0' '\\n' < /proc/$agent/environ | grep -E '^BATON_|bt_'",
  "echo '-- end'",
].join("\n");

async function newHome() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "baton-agent-home-"));
  return home;
}

async function keyOf(role: "agent" | "owner", name: string) {
  return (await owner.caller.apiKeys.create({ workspace: ws.slug, name, role })).key;
}

async function login(home: string, key: string, profile: string) {
  const res = await env.cli(["login", "--key", key, "--profile", profile], { env: { BATON_HOME: home, BATON_API_KEY: "" } });
  expect(res.stderr).toBe("");
}

/** Starts an agent and waits until it polls; its output so far. */
async function startedAgent(pool: string, extraEnv: Record<string, string>) {
  const agent = env.startAgent(["--pool", pool, "--limit", "1"], { env: extraEnv });
  await waitFor(async () => agent.output().includes("polling pool"), { what: "the agent to poll" });
  return agent;
}

describe("a run cannot find its agent's key", () => {
  it("with the key in a profile (the README's set-up): the run's environment has no key and no BATON_HOME/BATON_PROFILE, and the agent's environment has no key", { timeout: 90_000 }, async () => {
    const home = await newHome();
    await login(home, env.key, "main");
    await env.cli(["pools", "create", "probe-profile"]);
    const agent = await startedAgent("probe-profile", { BATON_HOME: home, BATON_API_KEY: "" });
    const d = await env.deployCommand("probe-profile", PROBE, "probe-profile");
    const { run } = await env.api("POST", `/deployments/${d.id}/runs`, { parameters: {} });
    const lines = await waitFor(async () => {
      const l = await logsOf(run.id);
      return l.includes("-- end") && l;
    }, { what: "the probe's output" });

    expect(lines[0]).toBe(`agent pid ${agent.child.pid}`);
    const runEnv = lines.slice(lines.indexOf("-- run env") + 1, lines.indexOf("-- agent env"));
    const agentEnv = lines.slice(lines.indexOf("-- agent env") + 1, lines.indexOf("-- end"));
    expect(runEnv).toContain(`BATON_RUN_ID=${run.id}`);
    expect(runEnv.join("\n")).not.toContain(env.key);
    expect(runEnv.join("\n")).not.toContain(home);
    expect(runEnv.filter((l) => /^BATON_(HOME|PROFILE|API_KEY)=/.test(l))).toEqual([]);
    expect(agentEnv.join("\n")).not.toContain(env.key);
    // An owner key in the agent's profile: the agent says loudly that its runs can take it.
    expect(agent.output()).toMatch(/WARNING: this agent's API key has the owner role.*can read the key from .*config\.json/);
    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
  });

  it("with the key in BATON_API_KEY: the run's environment has none of the agent's Baton variables, and the agent warns that its environment is readable", { timeout: 90_000 }, async () => {
    await env.cli(["pools", "create", "probe-env"]);
    const agent = await startedAgent("probe-env", {});
    const d = await env.deployCommand("probe-env", PROBE, "probe-env");
    const { run } = await env.api("POST", `/deployments/${d.id}/runs`, { parameters: {} });
    const lines = await waitFor(async () => {
      const l = await logsOf(run.id);
      return l.includes("-- end") && l;
    }, { what: "the probe's output" });
    const runEnv = lines.slice(lines.indexOf("-- run env") + 1, lines.indexOf("-- agent env"));
    expect(runEnv.join("\n")).not.toContain(env.key);
    expect(runEnv.join("\n")).not.toContain(env.home);
    expect(agent.output()).toMatch(new RegExp(`WARNING: this agent's API key has the owner role.*can read the key from this process's environment \\(BATON_API_KEY, /proc/${agent.child.pid}/environ\\)`));
    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
  });
});

describe("`baton agent start` says when its runs can reach more than an agent key", () => {
  it("an agent key next to an owner profile: warns about the owner profile; with the agent key alone: no warning", { timeout: 90_000 }, async () => {
    const home = await newHome();
    await login(home, await keyOf("owner", "laptop"), "laptop");
    await login(home, await keyOf("agent", "agent"), "agent");
    await env.cli(["pools", "create", "quiet"]);

    const first = await startedAgent("quiet", { BATON_HOME: home, BATON_API_KEY: "" });
    expect(first.output()).toContain(`WARNING: ${path.join(home, "config.json")} also holds profile "laptop" (owner role). Every run of this agent can read that file.`);
    expect(first.output()).not.toContain("API key has the");
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);

    expect((await env.cli(["logout", "--profile", "laptop"], { env: { BATON_HOME: home, BATON_API_KEY: "" } })).code).toBe(0);
    // The role check finishes before the agent polls, so no warning by then means none at all.
    const second = await startedAgent("quiet", { BATON_HOME: home, BATON_API_KEY: "" });
    expect(second.output()).not.toMatch(/WARNING|Note:|Could not check/);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});
