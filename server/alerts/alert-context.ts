/**
 * What an alert is about, as every renderer (email templates, Slack blocks, webhook JSON, the
 * message template) sees it. Built by `load-alert-context.ts` from a delivery's event when it is
 * sent, so names and links are current.
 */
export type AlertEventName = "Completed" | "Failed" | "Crashed" | "Cancelled" | "Late" | "Paused" | "RunningTooLong" | "NoSuccess" | "AgentOffline";

export type AlertRun = {
  id: string;
  name: string;
  url: string;
  stateType: string;
  stateName: string;
  stateMessage: string | null;
  flowName: string;
  deploymentName: string | null;
  /** Seconds from start to end (or to now while running); null if it never started. */
  durationSeconds: number | null;
  startTime: string | null;
  endTime: string | null;
  scheduledTime: string;
  attempt: number;
  tags: string[];
};

export type AlertDeployment = { id: string; name: string; flowName: string; url: string; lastSuccessAt: string | null; hours: number };

export type AlertAgent = { id: string; name: string; hostname: string | null; poolName: string; lastHeartbeatAt: string; url: string };

export type AlertContext = {
  event: AlertEventName;
  /** When the event happened (ISO). */
  at: string;
  workspace: { name: string; slug: string };
  automation: { id: string; name: string; url: string };
  run: AlertRun | null;
  deployment: AlertDeployment | null;
  agent: AlertAgent | null;
  /** For RunningTooLong: the threshold in minutes. */
  thresholdMinutes: number | null;
  /** The last log lines of the run (oldest first, at most 20), e.g. "12:00:01 ERROR boom". */
  logLines: string[];
  /** True for a "Send test" delivery: renderers label the message as a test. */
  test: boolean;
};
