import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { deploymentSourceSchema, type DeploymentSource, type SetupStep } from "../../protocol/deployments";
export { describeSource } from "../../protocol/deployments";
import { CliError } from "../errors";
import { printError } from "../output";
import type { DeploymentSpec } from "./deployment-spec";

/**
 * Where a deployment's code is (docs/cli.md#where-the-code-comes-from). A git `source:` as given;
 * with `--from-git`, the checkout `baseDir` is in (its remote, branch and folder); otherwise the
 * folder itself on this machine (`workdir:`, default the baton.yaml's folder or the current one),
 * so an agent on this machine runs it there whatever its own --workdir, and agents elsewhere
 * leave it alone.
 */
export function sourceOf(spec: DeploymentSpec, baseDir: string, opts: { fromGit: boolean }): DeploymentSource {
  if (spec.source) {
    const parsed = deploymentSourceSchema.safeParse({ kind: "git", url: spec.source.git, ref: spec.source.ref ?? "main", path: spec.source.path ?? null, credentials: spec.source.credentials ?? null });
    if (!parsed.success) throw new CliError(`${spec.name}: source: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, 2);
    return parsed.data;
  }
  if (opts.fromGit) return gitSourceOfCheckout(path.resolve(baseDir, spec.workdir ?? "."));
  const dir = path.resolve(baseDir, spec.workdir ?? ".");
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new CliError(`${spec.name}: workdir ${dir} is not a folder.`, 2);
  return { kind: "local", path: fs.realpathSync(dir), host: hostname() };
}

export function setupOf(spec: DeploymentSpec): SetupStep | null {
  if (spec.setup === undefined) return null;
  return typeof spec.setup === "string" ? { run: spec.setup, cacheKey: [] } : { run: spec.setup.run, cacheKey: spec.setup.cacheKey ?? [] };
}

function git(dir: string, args: string[]): string | null {
  const r = spawnSync("git", ["-C", dir, ...args], { encoding: "utf8", timeout: 15_000, env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** `--from-git`: the origin remote, the current branch and the folder within the checkout; a warning for what the agent will not see. */
export function gitSourceOfCheckout(dir: string): DeploymentSource {
  const top = git(dir, ["rev-parse", "--show-toplevel"]);
  if (!top) throw new CliError(`--from-git: ${dir} is not inside a git checkout. Commit the code to a repository first, or leave --from-git out to deploy the folder itself.`, 2);
  const remote = git(dir, ["remote"])?.split("\n").filter(Boolean) ?? [];
  const name = remote.includes("origin") ? "origin" : remote[0];
  const url = name ? git(dir, ["remote", "get-url", name]) : null;
  if (!url) throw new CliError(`--from-git: the checkout ${top} has no remote, so an agent could not fetch it. Add one (git remote add origin URL) and push.`, 2);
  const branch = git(dir, ["symbolic-ref", "--short", "-q", "HEAD"]);
  const ref = branch ?? git(dir, ["rev-parse", "HEAD"]);
  if (!ref) throw new CliError(`--from-git: the checkout ${top} has no commit yet. Commit and push first.`, 2);
  const sub = path.relative(fs.realpathSync(top), fs.realpathSync(dir));
  const dirty = git(dir, ["status", "--porcelain"]);
  if (dirty) printError(`Warning: ${top} has uncommitted changes; the agent runs what is pushed to ${url} (${ref}), without them.`);
  const ahead = branch ? git(dir, ["rev-list", "--count", `${name}/${branch}..HEAD`]) : null;
  if (branch && ahead === null) printError(`Warning: branch ${branch} is not on ${name} (${url}); push it, or the agent will not find it.`);
  else if (ahead && Number(ahead) > 0) printError(`Warning: ${ahead} commit(s) of ${branch} are not pushed to ${name}; the agent runs ${name}/${branch} without them.`);
  return { kind: "git", url: redactUrl(url) === url ? url : stripUserInfo(url), ref, path: sub || null, credentials: null };
}

const redactUrl = (url: string) => url.replace(/\/\/[^@/]+@/, "//***@");
/** A token written into a remote's URL (https://user:token@host/...) must not be stored in the deployment. */
function stripUserInfo(url: string) {
  printError("Warning: the remote's URL holds credentials; they are not stored. Give the deployment a token as a secret: source.credentials: \"{{ secrets.NAME }}\".");
  return url.replace(/\/\/[^@/]+@/, "//");
}

