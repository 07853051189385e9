import { FULL_COMMIT, seconds, SourceError } from "./source-error";
import { spawnBounded } from "./bounded-spawn";

/**
 * How to talk to one repository: its URL without credentials (what we show and hash) and the
 * environment of the git child that carries them. A token travels as an http.<origin>.extraHeader
 * set through GIT_CONFIG_* variables on the git child only: never argv (visible in ps), never the
 * run's environment, never the mirror's config on disk, and only to the repository's own origin.
 */
export type GitRemote = { url: string; env: NodeJS.ProcessEnv; secrets: string[] };

const INHERITED_GIT_VARS_DROPPED = /^GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE_OBJECT_DIRECTORIES|NAMESPACE|CONFIG_COUNT|CONFIG_KEY_\d+|CONFIG_VALUE_\d+|CONFIG_PARAMETERS)$/;

function baseEnv(): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!INHERITED_GIT_VARS_DROPPED.test(k)) env[k] = v;
  return {
    ...(env as NodeJS.ProcessEnv),
    // English messages: failures are classified from git's stderr.
    LC_ALL: "C",
    LANGUAGE: "",
    // Never wait for a person: an agent has nobody at its terminal.
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "/bin/true",
    SSH_ASKPASS: "/bin/true",
    GIT_SSH_COMMAND: `${process.env.GIT_SSH_COMMAND ?? "ssh"} -o BatchMode=yes -o ConnectTimeout=30`,
  };
}

export function gitRemote(rawUrl: string, credentials?: string | null): GitRemote {
  const env = baseEnv();
  let url = rawUrl.trim();
  let secret = credentials?.trim() || null;
  if (!/^https?:\/\//i.test(url)) return { url, env, secrets: secret ? [secret] : [] };
  const parsed = new URL(url);
  const inUrl = parsed.password ? `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}` : parsed.username ? decodeURIComponent(parsed.username) : null;
  parsed.username = "";
  parsed.password = "";
  url = parsed.toString();
  secret ??= inUrl;
  if (!secret) return { url, env, secrets: [] };
  // A bare token is GitHub's form (x-access-token works for personal and app tokens); "user:password" is taken as is.
  const userPass = secret.includes(":") ? secret : `x-access-token:${secret}`;
  const basic = Buffer.from(userPass).toString("base64");
  env.GIT_CONFIG_COUNT = "1";
  env.GIT_CONFIG_KEY_0 = `http.${parsed.origin}/.extraHeader`;
  env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basic}`;
  const parts = [secret, userPass, basic, ...secret.split(":").filter((p) => p.length >= 4)];
  if (inUrl) parts.push(...rawUrl.match(/\/\/([^@/]+)@/)!.slice(1));
  return { url, env, secrets: [...new Set(parts.flatMap((p) => [p, encodeURIComponent(p)]))] };
}

export function scrub(text: string, secrets: string[]): string {
  // user:password@ in any URL, and any user@ of an http URL (a token alone is often put there); ssh's git@ is no secret.
  let out = text.replace(/(https?:\/\/)[^/@\s]+@/gi, "$1").replace(/(\w+:\/\/[^/:@\s]+):[^/@\s]+@/g, "$1@");
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s) out = out.split(s).join("***");
  return out;
}

const AUTH = /Authentication failed|returned error: 40[13]|HTTP 40[13]|could not read (Username|Password)|terminal prompts disabled|Permission denied \(|Invalid username or password|access denied|Host key verification failed/i;
const DISK = /No space left on device|Disk quota exceeded|ENOSPC/i;
const NETWORK = /Could not resolve host|Connection refused|Connection timed out|No route to host|Network is unreachable|not found|does not appear to be a git repository|Failed to connect/i;
const BAD_REF = /not our ref|couldn't find remote ref|no such remote ref|unadvertised object|upload-pack: not our ref|reference is not a tree|not a valid object name|bad object|Not a valid commit name/i;

const KNOWN = [DISK, AUTH, BAD_REF, NETWORK];

/** A SourceError for a failed git call, from its stderr and exit; `what` names the operation ("fetching", "listing the refs of"). */
export function gitFailure(what: string, url: string, stderr: string[], timedOutMs: number | null): SourceError {
  const lines = stderr.map((l) => l.trim()).filter(Boolean);
  // git's first fatal/error line is the cause; what follows is advice ("Please make sure you have the correct access rights").
  const cause = lines.find((l) => KNOWN.some((re) => re.test(l))) ?? lines.find((l) => /^(fatal|error): /.test(l)) ?? lines.filter((l) => !/^warning:/i.test(l)).at(-1);
  const detail = cause?.replace(/^(fatal|error): /, "") ?? "no message from git";
  if (timedOutMs !== null) {
    return new SourceError("timeout", `git took longer than ${seconds(timedOutMs)} ${what} ${url} and was stopped. Check this machine's network to the repository's host, or raise the agent's git timeout for large repositories.`);
  }
  const all = lines.join("\n");
  const missing = /^spawn (\S+) ENOENT/m.exec(all);
  if (missing) return new SourceError("unreachable", `\`${missing[1]}\` is not installed on this agent's machine (or not on its PATH), so the code of ${url} cannot be fetched. Install git and restart the agent.`);
  if (DISK.test(all)) return new SourceError("disk", `No space left on the agent's disk while ${what} ${url} (${detail}). Free disk space on this machine, or lower the agent's code cache bound.`);
  if (AUTH.test(all)) {
    const hint = /Host key verification failed/i.test(all)
      ? "Add the host's key to this machine's ~/.ssh/known_hosts (ssh-keyscan HOST >> ~/.ssh/known_hosts)."
      : /^https?:/i.test(url)
        ? "Check the deployment's credentials: a token with read access to this repository."
        : "Check that this agent machine's SSH key has read access to this repository.";
    return new SourceError("auth", `Authentication to ${url} failed while ${what} it (${detail}). ${hint}`);
  }
  if (BAD_REF.test(all)) return new SourceError("bad_ref", `git could not find the requested commit while ${what} ${url} (${detail}). Check the deployment's source ref.`);
  return new SourceError(
    "unreachable",
    `Could not reach the git repository ${url} (${detail}). Check the URL and that this agent's machine can reach its host; a private repository also answers "not found" when the credentials cannot read it.`,
  );
}

export type GitCall = { cwd?: string; remote: GitRemote; timeoutMs: number; what: string; log?: (line: string) => void };

/** Runs one git command with the remote's environment, bounded in time; stdout on success, a classified SourceError otherwise. */
export async function runGit(args: string[], call: GitCall): Promise<string> {
  const { done } = spawnBounded("git", args, { cwd: call.cwd, env: call.remote.env, timeoutMs: call.timeoutMs, graceMs: 1_000, stdout: "collect" });
  const r = await done;
  if (r.code === 0 && !r.timedOut) return r.stdout;
  const err = gitFailure(call.what, call.remote.url, r.stderr, r.timedOut ? call.timeoutMs : null);
  err.message = scrub(err.message, call.remote.secrets);
  call.log?.(`git ${args[0]} failed: ${err.message}`);
  throw err;
}

/** The commit a branch or tag of the remote points at, from `git ls-remote` (git's order: a tag before a branch of the same name). */
export async function lsRemote(ref: string, call: GitCall): Promise<string | null> {
  const name = ref.replace(/^refs\/(heads|tags)\//, "");
  const wanted = ref.startsWith("refs/") ? [`${ref}^{}`, ref] : [`refs/tags/${name}^{}`, `refs/tags/${name}`, `refs/heads/${name}`];
  const out = await runGit(["ls-remote", call.remote.url, ...wanted], call);
  const refs = new Map<string, string>();
  for (const line of out.split("\n")) {
    const [sha, refName] = line.split("\t");
    if (sha && refName && FULL_COMMIT.test(sha)) refs.set(refName, sha);
  }
  for (const w of wanted) if (refs.has(w)) return refs.get(w)!;
  return null;
}
