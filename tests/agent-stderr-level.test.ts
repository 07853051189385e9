import { describe, expect, it } from "vitest";
import { StderrLevels } from "../agent/agent/stderr-level";

const levels = (lines: string[]) => {
  const s = new StderrLevels();
  return lines.map((l) => s.levelOf(l));
};

describe("the level of a run's stderr line", () => {
  it("is info unless the line names a level: stderr is where programs put progress and diagnostics", () => {
    expect(levels(["progress 50%", "Downloading model.bin  12%|██", "", "some note"])).toEqual(["info", "info", "info", "info"]);
  });

  it("reads the levels of Python logging's formats, bracketed and logfmt levels", () => {
    expect(
      levels([
        "WARNING:root:disk almost full",
        "ERROR:train:loss is NaN",
        "DEBUG:urllib3:connection",
        "CRITICAL:app:down",
        "INFO - started",
        "2026-12-01 10:00:00,123 - train - WARNING - slow epoch",
        "[error] could not connect",
        "[WARN] retrying",
        "level=warn msg=slow",
      ]),
    ).toEqual(["warning", "error", "debug", "critical", "info", "warning", "error", "warning", "warning"]);
  });

  it("marks Python warnings as warning and a whole traceback, through its exception line, as error", () => {
    expect(
      levels([
        "/app/train.py:12: DeprecationWarning: use fit_v2",
        "  model.fit()",
        "Traceback (most recent call last):",
        '  File "/app/train.py", line 3, in <module>',
        "    main()",
        "ValueError: the input table is empty",
        "done",
      ]),
    ).toEqual(["warning", "info", "error", "error", "error", "error", "info"]);
  });

  it("follows chained tracebacks to their last exception line", () => {
    expect(
      levels([
        "Traceback (most recent call last):",
        '  File "a.py", line 1, in <module>',
        "KeyError: 'x'",
        "",
        "During handling of the above exception, another exception occurred:",
        "",
        "Traceback (most recent call last):",
        '  File "a.py", line 3, in <module>',
        "RuntimeError: wrapped",
        "after",
      ]),
    ).toEqual(["error", "error", "error", "info", "info", "info", "error", "error", "error", "info"]);
  });

  it("marks the error lines of Node, git and Go as error", () => {
    expect(levels(["Error: ENOENT: no such file", "fatal: not a git repository", "TypeError: x is not a function", "panic: runtime error"])).toEqual(["error", "error", "error", "error"]);
  });
});
