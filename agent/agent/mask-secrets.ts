/**
 * Replaces the values of the secrets a run received with `***` in what leaves the agent's machine
 * about that run: its log lines (command output, both SDKs' loggers) and the message of the state
 * the agent reports (which quotes the last stderr line).
 *
 * Caught: each value as is; its JSON-escaped and URL-encoded forms; a multi-line value (a PEM
 * key) printed as is, line by line, since each of its lines of 4 or more characters is masked on
 * its own. Not caught (docs/secrets.md#masking): a single-line value a program breaks across
 * lines or prints in another encoding (base64, hex, reversed, one character at a time), and what
 * the run sends to Baton itself without the agent (task-run errors, artifacts, results).
 */
export class SecretMasker {
  private pattern: RegExp | null = null;
  private readonly variants = new Set<string>();

  constructor(values: string[]) {
    this.addAll(values);
  }

  /** A secret the run read from code (`secrets.get`): masked from now on. */
  add(value: string) {
    this.addAll([value]);
  }

  private addAll(values: string[]) {
    const variants = this.variants;
    for (const v of values) {
      if (!v) continue;
      variants.add(v);
      variants.add(JSON.stringify(v).slice(1, -1));
      variants.add(encodeURIComponent(v));
      if (v.includes("\n")) for (const part of v.split(/\r?\n/)) if (part.trim().length >= 4) variants.add(part);
    }
    // Longest first, so a value that contains another is masked whole.
    const sorted = [...variants].filter(Boolean).sort((a, b) => b.length - a.length);
    this.pattern = sorted.length ? new RegExp(sorted.map(escapeRegExp).join("|"), "g") : null;
  }

  /** The run's secret values: the env entries the claim names as secrets. */
  static forRun(run: { env?: Record<string, string>; secretEnv?: string[]; sourceCredentials?: string | null }) {
    return new SecretMasker([...(run.secretEnv ?? []).map((k) => run.env?.[k] ?? ""), run.sourceCredentials ?? ""]);
  }

  mask(text: string): string {
    return this.pattern ? text.replace(this.pattern, "***") : text;
  }
}

function escapeRegExp(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
