import type { LogLevel } from "../protocol/logs";
import { ConsoleLogSink } from "./log-sink";
import { currentFlow, currentTask } from "./runtime";

export type RunLogger = Record<"debug" | "info" | "warning" | "error" | "critical", (message: string) => void>;

const consoleSink = new ConsoleLogSink();

function write(level: LogLevel, message: string) {
  const flow = currentFlow();
  const task = currentTask();
  (flow?.logs ?? consoleSink).write({ level, message: String(message), taskRunId: task?.taskRunId ?? null, timestamp: new Date().toISOString() });
}

/** The logger of the flow or task run this code runs in: lines reach Baton (or the console, run locally). */
export function getRunLogger(): RunLogger {
  return {
    debug: (m) => write("debug", m),
    info: (m) => write("info", m),
    warning: (m) => write("warning", m),
    error: (m) => write("error", m),
    critical: (m) => write("critical", m),
  };
}
