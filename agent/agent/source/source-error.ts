/** Where a run's code comes from: a repository URL, a branch, tag or 40-hex commit, and a subfolder to run in. */
export type GitSource = { git: string; ref: string; path?: string | null };

export type SourceFailure = "unreachable" | "bad_ref" | "auth" | "disk" | "timeout" | "setup_failed" | "setup_timeout";

/** Why a run's code could not be made ready. The message says what happened and what to do; it never holds a credential. */
export class SourceError extends Error {
  constructor(
    readonly kind: SourceFailure,
    message: string,
  ) {
    super(message);
    this.name = "SourceError";
  }
}

export const FULL_COMMIT = /^[0-9a-f]{40}$/;

export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}

export function diskError(where: string, detail: string): SourceError {
  return new SourceError(
    "disk",
    `No space left on the agent's disk while ${where} (${detail}). Free disk space on this machine, or lower the agent's code cache bound so old checkouts are removed sooner.`,
  );
}

/** "0.3 s", "1.5 s", "120 s": a timeout as a person reads it. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 || Number.isInteger(s) ? Math.round(s) : s.toFixed(1)} s`;
}
