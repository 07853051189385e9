import { hostname } from "node:os";
import { ApiClient, ApiError } from "../../client/api-client";
import { sleep } from "../../client/backoff";
import { readConfig, resolveConnection, writeConfig, type Profile } from "../../config/profiles";
import type { MeResponse } from "../../protocol/me";
import { parse } from "../args";
import { CliError } from "../errors";
import { openServerPage } from "../open-url";
import { print } from "../output";
import { VERSION } from "../version";

const USAGE = "baton login [--url URL] [--key KEY] [--profile NAME] [--no-browser]";

/**
 * `baton login`: the browser approves and the terminal receives an API key for the chosen
 * workspace (a device-authorization flow), or `--key` for scripts and CI. The profile is named
 * after the workspace unless `--profile` says otherwise, and becomes the current one.
 */
export async function login(argv: string[]) {
  const { values } = parse(argv, { url: { type: "string" }, key: { type: "string" }, profile: { type: "string" }, "no-browser": { type: "boolean" } }, USAGE);
  const url = (values.url ?? process.env.BATON_API_URL ?? safeCurrentUrl() ?? "http://localhost:3000").replace(/\/+$/, "");
  if (!/^https?:\/\//.test(url)) throw new CliError(`--url must start with http:// or https://, e.g. --url https://baton.example.com (got "${url}")`, 2);

  const key = values.key ?? (await deviceLogin(url, !values["no-browser"]));
  const me = await new ApiClient(url, key, `baton-cli/${VERSION}`).request<MeResponse>("GET", "/me").catch((err) => {
    if (err instanceof ApiError && err.status === 401) throw new CliError(`Baton at ${url} did not accept this key: ${err.message}`);
    throw err;
  });
  const name = (values.profile as string | undefined) ?? me.workspace.slug;
  const config = readConfig();
  const profile: Profile = { url, key, workspace: me.workspace, user: me.user?.email ?? null, role: me.key.role };
  config.profiles[name] = profile;
  config.current = name;
  writeConfig(config);
  print(`Logged in to ${me.workspace.name} (${me.workspace.slug}) at ${url}${me.user ? ` as ${me.user.email}` : ""}, role ${me.key.role}. Profile "${name}" is now current.`);
}

function safeCurrentUrl() {
  try {
    return resolveConnection()?.url;
  } catch {
    return undefined;
  }
}

type DeviceStart = { deviceCode: string; userCode: string; verificationUri: string; expiresIn: number; interval: number };

async function deviceLogin(url: string, openBrowser: boolean): Promise<string> {
  const api = new ApiClient(url, null, `baton-cli/${VERSION}`);
  const start = await api.request<DeviceStart>("POST", "/auth/device", { body: { clientName: `CLI on ${hostname()}`.slice(0, 100) } });
  // The page never gets the code in its link: typing it is what ties the approval to this terminal.
  print(`To log in, open this page in a browser, type this code and approve:

  ${start.verificationUri}

  Code: ${start.userCode}
`);
  if (openBrowser) openServerPage(start.verificationUri, url);
  print(`Waiting for approval (the code expires in ${Math.round(start.expiresIn / 60)} minutes; Ctrl-C to stop)…`);
  let interval = start.interval;
  const deadline = Date.now() + start.expiresIn * 1000;
  while (Date.now() < deadline + 5000) {
    await sleep(interval * 1000);
    try {
      const res = await api.request<{ key: string }>("POST", "/auth/device/token", { body: { deviceCode: start.deviceCode } });
      return res.key;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.code === "authorization_pending") continue;
      if (err.code === "slow_down") {
        interval = Number((err.details as { interval?: number } | undefined)?.interval) || interval + 5;
        continue;
      }
      if (err.code === "access_denied") throw new CliError("The login was denied in the browser. Run `baton login` again to retry.");
      if (err.code === "expired_token") throw new CliError("The code expired before it was approved. Run `baton login` again.");
      throw err;
    }
  }
  throw new CliError("The code expired before it was approved. Run `baton login` again.");
}
