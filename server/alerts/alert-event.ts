import type { AlertEventName } from "./alert-context";

/**
 * What a delivery's `event` column holds: what happened, by reference (ids), so the message is
 * rendered when it is sent, with current names. Written by the database trigger (run_state) and
 * by the watcher (the others); a digest lists the deliveries it carries.
 */
export type AlertEvent =
  | { trigger: "run_state"; event: AlertEventName; runId: string; stateType: string; stateName: string; message: string | null; attempt: number; at: string }
  | { trigger: "running_longer"; event: "RunningTooLong"; runId: string; attempt: number; thresholdMinutes: number; at: string }
  | { trigger: "no_success"; event: "NoSuccess"; deploymentId: string; hours: number; lastSuccessAt: string | null; at: string }
  | { trigger: "agent_offline"; event: "AgentOffline"; agentId: string; lastHeartbeatAt: string; at: string }
  | { trigger: "digest"; deliveryIds: string[]; at: string }
  | { trigger: "test"; at: string };
