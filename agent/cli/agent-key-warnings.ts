import type { ApiClient } from "../client/api-client";
import { configPath, readConfig, type Connection } from "../config/profiles";
import type { MeResponse } from "../protocol/me";
import { printError } from "./output";

const BOUNDARY = 'Run the agent as its own OS user whose profile holds only an agent key (docs/cli.md, "What a run can reach").';

/**
 * Warnings for `baton agent start` about what its runs can take: a run is a process of the same
 * OS user, so it can read the agent's profile file and (with the key in BATON_API_KEY) the agent's
 * environment. The agent cannot hide either; it can say so, loudest when the key is more than an
 * agent key.
 */
export async function warnAboutKeyReach(client: ApiClient, connection: Connection) {
  const where = connection.profile ? `${configPath()} (profile "${connection.profile}")` : `this process's environment (BATON_API_KEY, /proc/${process.pid}/environ)`;
  const others = otherBroadProfiles(connection.profile);
  if (others.length) {
    printError(`WARNING: ${configPath()} also holds ${others.join(", ")}. Every run of this agent can read that file. ${BOUNDARY}`);
  }
  let me: MeResponse;
  try {
    me = await client.request<MeResponse>("GET", "/me");
  } catch (err) {
    printError(`Could not check the role of this agent's key (${(err as Error).message}). A run can read the key from ${where}.`);
    return;
  }
  if (me.key.role !== "agent") {
    printError(
      `WARNING: this agent's API key has the ${me.key.role} role in ${me.workspace.name} (${me.workspace.slug}). Every run it starts can read the key from ${where} and act as ${me.key.role}. ` +
        `Give the agent a key with the agent role (Settings → API keys), which can only claim and report runs. ${BOUNDARY}`,
    );
  } else if (!connection.profile) {
    printError(`Note: the key is in this process's environment, which every run of this agent can read (/proc/${process.pid}/environ).`);
  }
}

/** Profiles in the config file, other than the agent's own, whose key (as last logged in) is more than an agent key. */
function otherBroadProfiles(own: string | null): string[] {
  try {
    return Object.entries(readConfig().profiles)
      .filter(([name, p]) => name !== own && p.role !== "agent")
      .map(([name, p]) => `profile "${name}" (${p.role ?? "unknown"} role)`);
  } catch {
    return [];
  }
}
