import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startCliEnvironment } from "./helpers/cli";

const env = await startCliEnvironment();

/** A fresh BATON_HOME and no env overrides: only what `baton login` saves counts. */
function freshHome() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "baton-login-"));
  return { BATON_HOME: home, BATON_API_KEY: "", BATON_API_URL: "" };
}

describe("baton login --key, profiles, whoami, logout", () => {
  it("saves a checked key as a profile named after the workspace (file mode 0600), and switches between profiles", async () => {
    const home = freshHome();
    expect((await env.cli(["whoami"], { env: home })).stderr).toContain("Not logged in. Run `baton login`");

    const first = await env.cli(["login", "--url", env.apiUrl, "--key", env.key], { env: home });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const slug = env.workspace.ws.slug;
    expect(first.stdout).toContain(`Logged in to ${env.workspace.ws.name} (${slug}) at ${env.apiUrl} as ${env.workspace.owner.user.email}, role owner. Profile "${slug}" is now current.`);
    const file = path.join(home.BATON_HOME, "config.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    // A second workspace's key: a second profile, now current.
    const other = await env.workspace.owner.caller.workspaces.create({ name: "Second Team" });
    const otherKey = (await env.workspace.owner.caller.apiKeys.create({ workspace: other.slug, name: "second", role: "developer" })).key;
    expect((await env.cli(["login", "--url", env.apiUrl, "--key", otherKey, "--profile", "second"], { env: home })).code).toBe(0);
    const profiles = JSON.parse((await env.cli(["profile", "ls", "--json"], { env: home })).stdout);
    expect(profiles.current).toBe("second");
    expect(profiles.profiles.map((p: { name: string; workspace: string; role: string }) => [p.name, p.workspace, p.role])).toEqual([
      [slug, slug, "owner"],
      ["second", other.slug, "developer"],
    ]);
    expect((await env.cli(["whoami"], { env: home })).stdout).toContain(`in Second Team (${other.slug}), role developer`);

    expect((await env.cli(["profile", "use", slug], { env: home })).code).toBe(0);
    expect((await env.cli(["whoami"], { env: home })).stdout).toContain(`(${slug}), role owner`);
    // BATON_PROFILE picks one for a single command.
    expect((await env.cli(["whoami"], { env: { ...home, BATON_PROFILE: "second" } })).stdout).toContain("role developer");
    const missing = await env.cli(["whoami"], { env: { ...home, BATON_PROFILE: "nope" } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No profile named "nope"');

    const out = await env.cli(["logout"], { env: home });
    expect(out.stdout).toContain(`Logged out of profile "${slug}"`);
    expect(out.stdout).toContain("Current profile: second");
    expect(JSON.parse(fs.readFileSync(file, "utf8")).profiles[slug]).toBeUndefined();
  });

  it("refuses a wrong key and a bad URL with what to do, saving nothing", async () => {
    const home = freshHome();
    const wrong = await env.cli(["login", "--url", env.apiUrl, "--key", "bt_wrong"], { env: home });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`Baton at ${env.apiUrl} did not accept this key`);
    const badUrl = await env.cli(["login", "--url", "localhost:1", "--key", env.key], { env: home });
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain("--url must start with http:// or https://");
    const down = await env.cli(["login", "--url", "http://127.0.0.1:9", "--key", env.key], { env: home });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("Could not reach Baton at http://127.0.0.1:9");
    expect(fs.existsSync(path.join(home.BATON_HOME, "config.json"))).toBe(false);
  });

  it("explains bad flags and unknown commands with usage, exit code 2", async () => {
    const unknown = await env.cli(["deploi"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "deploi"');
    const flag = await env.cli(["runs", "ls", "--stat", "FAILED"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--stat'");
    const state = await env.cli(["runs", "ls", "--state", "BROKEN"]);
    expect(state.stderr).toContain("--state BROKEN: use one of SCHEDULED");
    const help = await env.cli(["runs", "ls", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: baton runs ls");
    const param = await env.cli(["run", "x", "--param", "novalue"]);
    expect(param.stderr).toContain("--param novalue: use name=value");
  });
});
