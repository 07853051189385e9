import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";

/**
 * The CLI's configuration: named profiles in `~/.baton/config.json` (mode 0600; `BATON_HOME`
 * moves the folder). `BATON_API_URL` and `BATON_API_KEY` override the chosen profile;
 * `BATON_PROFILE` chooses one.
 */
const profileSchema = z.object({
  url: z.string(),
  key: z.string(),
  workspace: z.object({ id: z.string(), slug: z.string(), name: z.string() }).optional(),
  user: z.string().nullable().optional(),
  role: z.string().optional(),
});
export type Profile = z.infer<typeof profileSchema>;

const configSchema = z.object({ current: z.string().nullable().default(null), profiles: z.record(z.string(), profileSchema).default({}) });
export type Config = z.infer<typeof configSchema>;

/** The configuration is unreadable or names a profile that does not exist: the message says what to do. */
export class ConfigError extends Error {}

export const batonHome = () => process.env.BATON_HOME || path.join(os.homedir(), ".baton");
export const configPath = () => path.join(batonHome(), "config.json");

export function readConfig(): Config {
  const file = configPath();
  if (!fs.existsSync(file)) return { current: null, profiles: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    throw new ConfigError(`${file} is not valid JSON. Fix it or delete it and run \`baton login\` again.`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${file} is not a Baton configuration. Fix it or delete it and run \`baton login\` again.`);
  return parsed.data;
}

export function writeConfig(config: Config) {
  const dir = batonHome();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = configPath();
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
  fs.renameSync(tmp, file);
  fs.chmodSync(file, 0o600);
}

export type Connection = { url: string; key: string; profile: string | null; workspace?: Profile["workspace"] };

/** What the CLI talks to: the env overrides, else the chosen profile; null when there is none. */
export function resolveConnection(): Connection | null {
  const config = readConfig();
  const name = process.env.BATON_PROFILE || config.current;
  const profile = name ? config.profiles[name] : undefined;
  if (process.env.BATON_PROFILE && !profile) {
    throw new ConfigError(`No profile named "${process.env.BATON_PROFILE}" (BATON_PROFILE). Run \`baton profile ls\` to see yours.`);
  }
  const url = process.env.BATON_API_URL || profile?.url;
  const key = process.env.BATON_API_KEY || profile?.key;
  if (!url || !key) return null;
  const fromEnv = Boolean(process.env.BATON_API_KEY);
  return { url: url.replace(/\/+$/, ""), key, profile: fromEnv ? null : (name ?? null), workspace: fromEnv ? undefined : profile?.workspace };
}
