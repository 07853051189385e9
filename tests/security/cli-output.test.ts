import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/app-process";
import { BATON_BIN, runIdOf, startCliEnvironment, type CliResult } from "../helpers/cli";
import { start as startRecordingServer } from "../helpers/recording-server";

const env = await startCliEnvironment();
const server = await startRecordingServer();
afterAll(() => server.close());

// An OSC window title, a screen clear, and a C1 CSI (U+009B) as a hostile server or run would send them.
const HOSTILE = "\u001b]0;pwned\u0007\u001b[2J\u009b31m";
const VISIBLE = "]0;pwned[2J31m";
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe("the CLI prints server text with its control characters removed", () => {
  it("a deployment named with escape sequences: `baton deployments ls` and `baton runs ls` show the name without them; --json keeps it, escaped", { timeout: 60_000 }, async () => {
    const d = await env.deployCommand(`evil${HOSTILE}`, "true");
    await env.api("POST", `/deployments/${d.id}/runs`, { parameters: {} });
    for (const args of [["deployments", "ls"], ["runs", "ls"]]) {
      const res = await env.cli(args);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`evil${VISIBLE}`);
      expect(res.stdout).not.toMatch(CONTROL);
    }
    const json = await env.cli(["runs", "ls", "--json"]);
    expect(json.stdout).not.toMatch(CONTROL);
    expect(JSON.parse(json.stdout).map((r: { deploymentName: string }) => r.deploymentName)).toContain(`evil${HOSTILE}`);
  });

  it("a run whose output has escape sequences: `baton run --watch` and `baton runs logs` print its lines without them", { timeout: 90_000 }, async () => {
    const agent = env.startAgent(["--limit", "1"]);
    // printf's octal escapes: ESC ] 0 ; pwned BEL ESC [ 2 J, then U+009B in UTF-8 (302 233).
    await env.deployCommand("noisy", "printf 'out \\033]0;pwned\\007\\033[2J\\302\\23331m end\\n'");
    const watched = await env.cli(["run", "noisy", "--watch"]);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain(`out ${VISIBLE} end`);
    expect(watched.stdout).not.toMatch(CONTROL);
    const logs = await env.cli(["runs", "logs", runIdOf(watched.stdout)]);
    expect(logs.stdout).toContain(`out ${VISIBLE} end`);
    expect(logs.stdout).not.toMatch(CONTROL);
    // The agent's own log names runs too.
    expect(agent.output()).not.toMatch(CONTROL);
    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
  });
});

describe("`baton login` opens only a page of its own server", () => {
  // A stand-in for the system opener: xdg-open first on PATH, recording what it was asked to open.
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), "baton-opener-"));
  const opened = path.join(bin, "opened.txt");
  fs.writeFileSync(path.join(bin, "xdg-open"), `#!/bin/sh\nprintf '%s\\n' "$1" >> "${opened}"\n`, { mode: 0o755 });
  const openedUrls = () => (fs.existsSync(opened) ? fs.readFileSync(opened, "utf8").split("\n").filter(Boolean) : []);

  function login(verificationUrl: string): Promise<CliResult> {
    server.respond((req) => {
      if (req.path === "/api/v1/auth/device") {
        return { body: { deviceCode: "dc", userCode: "BCDF-GHJK", verificationUri: verificationUrl, verificationUriComplete: verificationUrl, expiresIn: 600, interval: 1 } };
      }
      return { status: 400, body: { error: { code: "access_denied", message: "Denied." } } };
    });
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "baton-login-home-"));
    const childEnv: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: home, PATH: `${bin}:${process.env.PATH}` };
    for (const k of ["BATON_API_URL", "BATON_API_KEY", "BATON_PROFILE", "NODE_OPTIONS", "DISPLAY", "BROWSER"]) delete childEnv[k];
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [BATON_BIN, "login", "--url", server.url], { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("exit", (code) => resolve({ code, stdout, stderr }));
    });
  }

  it("refuses file:///etc/passwd and another origin (printing them), opens its server's /cli/authorize page", { timeout: 60_000 }, async () => {
    for (const hostile of ["file:///etc/passwd", "https://evil.example/cli/authorize?code=BCDF-GHJK"]) {
      const res = await login(hostile);
      expect(res.stderr).toContain("The login was denied");
      expect(res.stdout).toContain(hostile);
      expect(res.stdout).toContain(`Not opening that address in a browser: it is not a page of ${server.url}.`);
    }
    const own = `${server.url}/cli/authorize?code=BCDF-GHJK`;
    const res = await login(own);
    expect(res.stdout).not.toContain("Not opening");
    // The opener runs detached: wait for it, then nothing but the server's own page was opened.
    await waitFor(async () => openedUrls().includes(own), { timeoutMs: 10_000, what: "the opener to be called" });
    expect(openedUrls()).toEqual([own]);
  });
});
