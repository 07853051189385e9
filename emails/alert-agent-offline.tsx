import { z } from "zod";
import { link, singleLine } from "./_shared/fields";
import { AlertMessage, AutomationFooter, Facts, alertBase, optionalLine, testPrefix } from "./_shared/alert";
import { EmailLayout } from "./_shared/layout";

export const schema = z.object({
  ...alertBase,
  agentName: singleLine(200),
  hostname: optionalLine(255),
  poolName: singleLine(200),
  lastHeartbeatAt: singleLine(60),
  url: link,
});
export type AlertAgentOfflineProps = z.infer<typeof schema>;

export const PreviewProps: AlertAgentOfflineProps = {
  test: false,
  workspaceName: "Acme Data",
  automationName: "Agents down",
  automationUrl: "http://localhost:3000/w/acme/automations/preview",
  message: "Agent worker-1 (build-01.internal, pool default) stopped sending heartbeats. Last seen 2026-11-26 03:00 UTC.",
  agentName: "worker-1",
  hostname: "build-01.internal",
  poolName: "default",
  lastHeartbeatAt: "2026-11-26 03:00 UTC",
  url: "http://localhost:3000/w/acme/agents",
};

export function subject({ test, agentName }: AlertAgentOfflineProps): string {
  return `${testPrefix(test)}Agent offline: ${agentName}`;
}

export default function AlertAgentOffline(props: AlertAgentOfflineProps) {
  return (
    <EmailLayout
      preview={props.message.slice(0, 140)}
      title={`${testPrefix(props.test)}Agent ${props.agentName} is offline`}
      action={{ label: "View agents", url: props.url }}
      footer={<AutomationFooter {...props} />}
    >
      <AlertMessage message={props.message} test={props.test} />
      <Facts
        rows={[
          ["Agent", props.agentName],
          ["Hostname", props.hostname],
          ["Pool", props.poolName],
          ["Last heartbeat", props.lastHeartbeatAt],
        ]}
      />
    </EmailLayout>
  );
}

AlertAgentOffline.PreviewProps = PreviewProps;
