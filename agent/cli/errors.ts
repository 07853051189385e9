/** A failure the CLI reports as one clear message (what happened and what to do) and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
