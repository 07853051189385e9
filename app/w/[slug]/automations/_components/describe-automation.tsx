import type { inferRouterOutputs } from "@trpc/server";
import type { StateType } from "@/agent/protocol/states";
import { StateBadge } from "@/app/_components/state-badge";
import { Badge } from "@/app/_components/ui";
import type { AppRouter } from "@/server/trpc/root";

type Outputs = inferRouterOutputs<AppRouter>;
export type AutomationView = Outputs["automations"]["get"];
export type DestinationView = AutomationView["destinations"][number];
export type DeliveryView = Outputs["automations"]["deliveries"]["items"][number];

/** The run events an automation can name, with the state type whose colour they wear. */
export const RUN_EVENTS: { name: string; type: StateType }[] = [
  { name: "Completed", type: "COMPLETED" },
  { name: "Failed", type: "FAILED" },
  { name: "Crashed", type: "CRASHED" },
  { name: "Cancelled", type: "CANCELLED" },
  { name: "Late", type: "SCHEDULED" },
];
const typeOf = (name: string) => RUN_EVENTS.find((e) => e.name === name)?.type;

export const TRIGGER_LABELS = {
  run_state: "A run enters a state",
  running_longer: "A run is running longer than",
  no_success: "No completed run of a deployment within",
  agent_offline: "An agent goes offline",
} as const;

export const DESTINATION_LABELS = {
  email: "Email",
  slack: "Slack",
  webhook: "Webhook",
  run_deployment: "Run a deployment",
  pause_deployment: "Pause a deployment",
  resume_deployment: "Resume a deployment",
  cancel_runs: "Cancel runs",
  pause_work_pool: "Pause a work pool",
  resume_work_pool: "Resume a work pool",
} as const;

/** "Run enters [Failed] [Crashed]", "Running longer than 90 minutes", … with state colours. */
export function TriggerSummary({ automation }: { automation: Pick<AutomationView, "triggerKind" | "states" | "minutes" | "hours"> }) {
  switch (automation.triggerKind) {
    case "run_state":
      return (
        <span className="inline-flex flex-wrap items-center gap-1">
          Run enters
          {automation.states.map((s) => {
            const type = typeOf(s);
            return type ? <StateBadge key={s} type={type} name={s} /> : <Badge key={s}>{s}</Badge>;
          })}
        </span>
      );
    case "running_longer":
      return <span>Running longer than {plural(automation.minutes ?? 0, "minute")}</span>;
    case "no_success":
      return <span>No completed run in {plural(automation.hours ?? 0, "hour")}</span>;
    case "agent_offline":
      return <span>An agent goes offline</span>;
  }
}

export function plural(n: number, unit: string) {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

const STATUS: Record<DeliveryView["status"], { label: string; tone: "green" | "red" | "sky" | "slate" | "amber" }> = {
  sent: { label: "Delivered", tone: "green" },
  failed: { label: "Failed", tone: "red" },
  pending: { label: "Pending", tone: "sky" },
  coalesced: { label: "In a digest", tone: "slate" },
  skipped: { label: "Skipped", tone: "slate" },
};

export function DeliveryStatusBadge({ status }: { status: DeliveryView["status"] }) {
  return <Badge tone={STATUS[status].tone}>{STATUS[status].label}</Badge>;
}

/** What "Send test" answered, as a sentence. */
export function describeTestResult(r: { outcome: string; responseCode: number | null; error: string | null }): { ok: boolean; text: string } {
  const code = r.responseCode ? `HTTP ${r.responseCode}` : null;
  if (r.outcome === "sent") return { ok: true, text: `Delivered${code ? ` (${code})` : ""}.` };
  if (r.outcome === "kept") return { ok: true, text: "Kept in the development mailbox (no RESEND_API_KEY is set)." };
  return { ok: false, text: `Failed: ${[code, r.error].filter(Boolean).join(" ") || "no answer"}` };
}
