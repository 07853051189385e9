import { MAX_LOG_LINE_BYTES, type LogLevel } from "../protocol/logs";
import type { ApiClient } from "../client/api-client";
import { BackgroundBatcher } from "./background-batcher";

export type LogRecord = { level: LogLevel; message: string; taskRunId?: string | null; timestamp: string };

/** Where a flow's log lines go: its agent (over IPC), the API (ad-hoc runs), or the console (local). */
export interface LogSink {
  write(record: LogRecord): void;
  flush(): Promise<void>;
}

/** Inside an agent: lines travel to the agent, which numbers and sends them with stdout and stderr. */
export class IpcLogSink implements LogSink {
  write(record: LogRecord) {
    process.send?.({ t: "log", ...record });
  }
  async flush() {}
}

export class ConsoleLogSink implements LogSink {
  write(record: LogRecord) {
    const line = `${record.timestamp.slice(11, 23)} ${record.level.toUpperCase().padEnd(7)} ${record.message}`;
    if (record.level === "error" || record.level === "critical") console.error(line);
    else console.log(line);
  }
  async flush() {}
}

/** An ad-hoc run reports its own lines: numbered per attempt, batched, re-sent until stored. */
export class ApiLogSink implements LogSink {
  private seq = 0;
  private readonly batcher: BackgroundBatcher<{ seq: number } & LogRecord>;

  constructor(client: ApiClient, runId: string, attempt: number) {
    this.batcher = new BackgroundBatcher(
      async (lines) => {
        await client.request("POST", "/logs", { body: { logs: lines.map((l) => ({ runId, attempt, ...l })) }, tries: 8 });
      },
      250,
      1000,
      (l) => Buffer.byteLength(l.message) + 200,
      900 * 1024,
    );
  }

  write(record: LogRecord) {
    this.batcher.push({ seq: this.seq++, ...record, message: cutLine(record.message) });
  }

  flush() {
    return this.batcher.flush();
  }
}

/** A line over the API's limit is cut here, with the same kind of marker the server would add. */
export function cutLine(message: string): string {
  const bytes = Buffer.byteLength(message);
  if (bytes <= MAX_LOG_LINE_BYTES) return message;
  const cut = Buffer.from(message).subarray(0, MAX_LOG_LINE_BYTES - 64).toString();
  return `${cut}… [truncated ${bytes - Buffer.byteLength(cut)} bytes]`;
}
