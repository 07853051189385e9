import type { LogLevel } from "../protocol/logs";

/**
 * The level of a line a run wrote to stderr (commands, and what Python or Node print there
 * outside the SDK's loggers). stderr is where programs put diagnostics of every kind (Python's
 * `logging` by default, warnings, progress bars), so a line is info unless it says otherwise:
 * - a level it names at its start: Python logging's default `WARNING:name:msg`, `ERROR - msg`,
 *   `[error] msg`, `level=warn msg`, `2026-01-01 10:00:00,123 - name - WARNING - msg`;
 * - a Python warning (`file.py:12: UserWarning: msg`): warning;
 * - a Python traceback, from `Traceback (most recent call last):` through its indented frames to
 *   the exception line (`ValueError: …`): error, every line of it;
 * - a line starting `Error:`, `error:`, `fatal:` or `panic:` (Node's uncaught errors, git, Go): error.
 * One instance per stream: a traceback spans lines.
 */
export class StderrLevels {
  private inTraceback = false;

  levelOf(line: string): LogLevel {
    if (this.inTraceback) {
      // Frames and source lines are indented; chained tracebacks announce themselves; the
      // first line that is neither is the exception line, which ends the block.
      if (/^\s/.test(line) || line === "" || /^(During handling|The above exception)/.test(line) || line.startsWith("Traceback (most recent call last):")) return "error";
      this.inTraceback = false;
      return "error";
    }
    if (line.startsWith("Traceback (most recent call last):")) {
      this.inTraceback = true;
      return "error";
    }
    return namedLevel(line) ?? "info";
  }
}

const LEVEL_WORDS: Record<string, LogLevel> = {
  debug: "debug",
  trace: "debug",
  info: "info",
  notice: "info",
  warn: "warning",
  warning: "warning",
  error: "error",
  err: "error",
  critical: "critical",
  fatal: "critical",
};

const PREFIXES = [
  /^(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)(?::|\s+-\s|\s*\|)/, // Python logging: LEVEL:name:msg, LEVEL - msg, LEVEL | msg
  /^\[(debug|info|notice|warn|warning|error|err|critical|fatal)\]/i, // [error] msg
  /^level=(debug|trace|info|warn|warning|error|critical|fatal)\b/i, // logfmt
  /^\S+ \S+ - .+? - (DEBUG|INFO|WARNING|ERROR|CRITICAL) - /, // logging's "%(asctime)s - %(name)s - %(levelname)s - %(message)s"
];

function namedLevel(line: string): LogLevel | null {
  for (const re of PREFIXES) {
    const m = re.exec(line);
    if (m) return LEVEL_WORDS[m[1].toLowerCase()] ?? null;
  }
  if (/^\S.*:\d+: [A-Z]\w*Warning: /.test(line)) return "warning";
  if (/^(Error|error|fatal|panic):\s/.test(line) || /^[A-Z]\w*Error: /.test(line)) return "error";
  return null;
}
