import { readConfig, resolveConnection, writeConfig } from "../../config/profiles";
import type { MeResponse } from "../../protocol/me";
import { parse } from "../args";
import { connect } from "../connect";
import { CliError } from "../errors";
import { print, printJson, printTable } from "../output";

export async function whoami(argv: string[]) {
  const { values } = parse(argv, { json: { type: "boolean" } }, "baton whoami [--json]");
  const { client, connection } = connect();
  const me = await client.request<MeResponse>("GET", "/me");
  if (values.json) return printJson({ ...me, url: connection.url, profile: connection.profile });
  print(`${me.user?.email ?? `API key "${me.key.name}"`} in ${me.workspace.name} (${me.workspace.slug}), role ${me.key.role}`);
  print(`Server ${connection.url}; profile ${connection.profile ?? "(from BATON_API_URL / BATON_API_KEY)"}`);
}

export async function logout(argv: string[]) {
  const { values } = parse(argv, { profile: { type: "string" } }, "baton logout [--profile NAME]");
  const config = readConfig();
  const name = (values.profile as string | undefined) ?? process.env.BATON_PROFILE ?? config.current;
  if (!name || !config.profiles[name]) throw new CliError(name ? `No profile named "${name}". Run \`baton profile ls\`.` : "Not logged in: nothing to do.");
  delete config.profiles[name];
  if (config.current === name) config.current = Object.keys(config.profiles)[0] ?? null;
  writeConfig(config);
  print(`Logged out of profile "${name}" (its key was removed from this machine; revoke it in Settings → API keys if it may have leaked).`);
  if (config.current) print(`Current profile: ${config.current}`);
}

export async function profile(argv: string[]) {
  const [sub, ...rest] = argv;
  if (sub === "ls" || sub === "list") {
    const { values } = parse(rest, { json: { type: "boolean" } }, "baton profile ls [--json]");
    const config = readConfig();
    let current: string | null = null;
    try {
      current = resolveConnection()?.profile ?? null;
    } catch {
      current = config.current;
    }
    const rows = Object.entries(config.profiles).map(([name, p]) => ({
      current: name === current ? "*" : "",
      name,
      url: p.url,
      workspace: p.workspace?.slug ?? null,
      user: p.user ?? null,
      role: p.role ?? null,
    }));
    if (values.json) return printJson({ current, profiles: rows.map(({ current: _c, ...r }) => r) });
    return printTable(rows, [["current", " "], ["name", "Profile"], ["workspace", "Workspace"], ["user", "User"], ["role", "Role"], ["url", "URL"]], "No profiles yet. Run `baton login`.");
  }
  if (sub === "use") {
    const name = rest[0];
    const config = readConfig();
    if (!name) throw new CliError("Usage: baton profile use NAME", 2);
    if (!config.profiles[name]) throw new CliError(`No profile named "${name}". Profiles: ${Object.keys(config.profiles).join(", ") || "none (run `baton login`)"}`);
    config.current = name;
    writeConfig(config);
    return print(`Profile "${name}" is now current (${config.profiles[name].workspace?.name ?? config.profiles[name].url}).`);
  }
  throw new CliError("Usage: baton profile ls | baton profile use NAME", 2);
}
