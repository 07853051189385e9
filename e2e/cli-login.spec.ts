import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { BASE_URL } from "../playwright.config";
import { authorizeCliLogin, createWorkspace, signUp, uniqueEmail } from "./helpers";

const BIN = path.resolve("agent/bin/baton.js");

test("`baton login` in a terminal: the person approves in the browser, the CLI saves a working key", async ({ page }) => {
  const email = uniqueEmail("terminal");
  await signUp(page, email);
  const slug = await createWorkspace(page, "Terminal Team");

  const home = fs.mkdtempSync(path.join(os.tmpdir(), "baton-e2e-home-"));
  const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: home };
  delete env.BATON_API_KEY;
  delete env.BATON_API_URL;
  const cli = spawn(process.execPath, [BIN, "login", "--url", BASE_URL, "--no-browser"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  cli.stdout.on("data", (d) => (out += d));
  cli.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => cli.on("exit", (code) => r(code)));

  await expect.poll(() => /Code: ([A-Z]{4}-[A-Z]{4})/.exec(out)?.[1] ?? null).not.toBeNull();
  const userCode = /Code: ([A-Z]{4}-[A-Z]{4})/.exec(out)![1];
  // The printed address has no code in it: the person types the code.
  const url = /(http:\/\/\S+\/cli\/authorize\S*)/.exec(out)![1];
  expect(url).toBe(`${BASE_URL}/cli/authorize`);

  await authorizeCliLogin(page, { userCode, workspace: slug, url });
  expect(await exited).toBe(0);
  expect(out).toContain(`Logged in to Terminal Team (${slug}) at ${BASE_URL} as ${email}, role developer. Profile "${slug}" is now current.`);

  const file = path.join(home, "config.json");
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  const config = JSON.parse(fs.readFileSync(file, "utf8"));
  expect(config.current).toBe(slug);
  expect(config.profiles[slug].key).toMatch(/^bt_/);

  // The saved key works: whoami through the real CLI.
  const whoami = spawn(process.execPath, [BIN, "whoami", "--json"], { env, stdio: ["ignore", "pipe", "inherit"] });
  let json = "";
  whoami.stdout.on("data", (d) => (json += d));
  await new Promise((r) => whoami.on("exit", r));
  expect(JSON.parse(json)).toMatchObject({ workspace: { slug }, key: { name: expect.stringMatching(/^CLI on /), role: "developer" }, user: { email } });
});
