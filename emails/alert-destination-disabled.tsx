import { Text } from "@react-email/components";
import { z } from "zod";
import { link, singleLine } from "./_shared/fields";
import { EmailLayout, text } from "./_shared/layout";

/** To the workspace's owners: a destination kept answering 404/410, so Baton stopped sending to it. */
export const schema = z.object({
  workspaceName: singleLine(200),
  automationName: singleLine(200),
  url: link,
  /** The destination as the UI shows it, e.g. "hooks.slack.com/…/x7Qa". */
  target: singleLine(300),
  /** What the destination answered, as recorded when it was disabled; may be empty. */
  reason: singleLine(1000).or(z.literal("")).default(""),
});
export type AlertDestinationDisabledProps = z.infer<typeof schema>;

export const PreviewProps: AlertDestinationDisabledProps = {
  workspaceName: "Acme Data",
  automationName: "ETL failures",
  url: "http://localhost:3000/w/acme/automations/preview",
  target: "hooks.slack.com/…/x7Qa",
  reason: "It answered HTTP 404: no_service 3 times in a row, so Baton stopped sending to it.",
};

export function subject({ automationName, target }: AlertDestinationDisabledProps): string {
  return `Alerts stopped: ${target} of automation ${automationName}`;
}

export default function AlertDestinationDisabled(props: AlertDestinationDisabledProps) {
  return (
    <EmailLayout
      preview={`Baton stopped sending alerts to ${props.target}.`}
      title={`Baton stopped sending alerts to ${props.target}`}
      action={{ label: "Fix and re-enable", url: props.url }}
      footer={`You receive this as an owner of the ${props.workspaceName} workspace on Baton. If someone has already fixed and re-enabled it, you can ignore this email.`}
    >
      <Text style={text}>
        Baton stopped sending to <strong>{props.target}</strong> of the automation <strong>{props.automationName}</strong>: it answered
        404 or 410 (Slack: no_service) too many times in a row. That usually means the webhook or channel was deleted.
      </Text>
      {props.reason ? <Text style={text}>{props.reason}</Text> : null}
      <Text style={text}>
        Other actions of the automation keep working. Fix the address (or remove the action) and re-enable it on the automation’s page; alerts
        raised while it is disabled are not sent to it.
      </Text>
    </EmailLayout>
  );
}

AlertDestinationDisabled.PreviewProps = PreviewProps;
