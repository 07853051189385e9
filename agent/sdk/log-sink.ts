import type { LogLevel } from "../protocol/logs";
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
    this.batcher = new BackgroundBatcher(async (lines) => {
      await client.request("POST", "/logs", { body: { logs: lines.map((l) => ({ runId, attempt, ...l })) }, tries: 8 });
    });
  }

  write(record: LogRecord) {
    this.batcher.push({ seq: this.seq++, ...record });
  }

  flush() {
    return this.batcher.flush();
  }
}
