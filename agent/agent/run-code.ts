import fs from "node:fs";
import { hostname } from "node:os";
import type { ClaimedRun } from "./run-process";

/** The code of one run, ready: the folder it runs in, and what to call once it ended. */
export type PreparedCode = { dir: string; commit: string | null; release: () => void };

/** The code cannot be had: the run fails before it starts, with `message` (what happened and what to do). */
export class CodeUnavailable extends Error {}

/**
 * Where a run's code is, by its deployment's source (docs/cli.md#where-the-code-comes-from):
 * none (a deployment made through the API) runs in the agent's --workdir; a local source in its
 * folder, which must be on this machine (the claim hands such runs only to agents on its host).
 */
export class RunCode {
  constructor(private readonly opts: { workdir: string }) {}

  async prepare(run: ClaimedRun): Promise<PreparedCode> {
    const source = run.deployment?.source ?? null;
    if (!source) return { dir: this.opts.workdir, commit: null, release: () => undefined };
    if (source.kind === "local") {
      if (!isFolder(source.path)) {
        throw new CodeUnavailable(
          `The folder of deployment ${run.flowName}/${run.deployment!.name}, ${source.path}, does not exist on ${hostname()}. It was deployed from there: deploy again from where the code is now (baton deploy), or give the deployment a git source.`,
        );
      }
      return { dir: source.path, commit: null, release: () => undefined };
    }
    throw new CodeUnavailable(`Deployment ${run.flowName}/${run.deployment!.name} has a git source, which this agent cannot fetch yet. Upgrade the agent (npm install baton@latest).`);
  }
}

function isFolder(p: string) {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
