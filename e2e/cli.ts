import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import { BASE_URL } from "../playwright.config";

const ROOT = path.resolve(import.meta.dirname, "..");
export const BATON = path.join(ROOT, "agent/bin/baton.js");
export const FLOWS = path.join(ROOT, "tests/fixtures/flows");

/** The CLI and agent processes a spec started; `test.afterAll(killChildren)` ends any left. */
export const children = new Set<ChildProcess>();
export function killChildren() {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
}

/** The real `baton` CLI as a child process, against the e2e server, with its own BATON_HOME. */
export function batonEnv(key: string, home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: home, BATON_API_URL: BASE_URL, BATON_API_KEY: key };
  delete env.NODE_OPTIONS;
  return env;
}

export function cli(env: NodeJS.ProcessEnv, args: string[], opts: { timeoutMs?: number; cwd?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BATON, ...args], { cwd: opts.cwd ?? FLOWS, env, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `baton agent start` in the background; its output is kept. */
export function startAgent(env: NodeJS.ProcessEnv, args: string[], cwd = FLOWS) {
  const agent = spawn(process.execPath, [BATON, "agent", "start", ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(agent);
  let out = "";
  agent.stdout.on("data", (d) => (out += d));
  agent.stderr.on("data", (d) => (out += d));
  return { child: agent, output: () => out };
}

export const runIdOf = (stdout: string) => /\(([0-9a-f-]{36})\)/.exec(stdout)?.[1] ?? "";

/** Settings → API keys: a new key of `role`, as a person makes one. */
export async function createKey(page: Page, slug: string, name: string, role: string) {
  await page.goto(`/w/${slug}/settings/api-keys`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Role").selectOption(role);
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.getByLabel("New API key").inputValue();
  expect(key).toMatch(/^bt_/);
  await page.getByRole("button", { name: "Done" }).click();
  return key;
}
