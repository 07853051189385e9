import { Text } from "@react-email/components";
import { z } from "zod";
import { link, singleLine } from "./_shared/fields";
import { EmailLayout, text } from "./_shared/layout";

/** To an address outside the workspace that an email action lists: nothing is sent to it until it confirms. */
export const schema = z.object({
  workspaceName: singleLine(200),
  requestedBy: singleLine(320).nullish(),
  url: link,
});
export type AlertSubscriptionConfirmProps = z.infer<typeof schema>;

export const PreviewProps: AlertSubscriptionConfirmProps = {
  workspaceName: "Acme Data",
  requestedBy: "ada@example.com",
  url: "http://localhost:3000/alerts/confirm?token=preview-token",
};

export function subject({ workspaceName }: AlertSubscriptionConfirmProps): string {
  return `${workspaceName} wants to send you Baton alerts`;
}

export default function AlertSubscriptionConfirm({ workspaceName, requestedBy, url }: AlertSubscriptionConfirmProps) {
  return (
    <EmailLayout
      preview={`Confirm to receive alerts from ${workspaceName}, or ignore this email.`}
      title={`${workspaceName} wants to send you Baton alerts`}
      action={{ label: "Confirm: send me these alerts", url }}
      footer="If you don’t want these alerts, ignore this email: nothing is sent to you unless you confirm, and you will not be asked again."
    >
      <Text style={text}>
        {requestedBy ? `${requestedBy} added this address` : "Someone added this address"} to an alert of the {workspaceName} workspace on Baton,
        a service that runs and monitors data workflows. Alerts tell you when a run fails or is late.
      </Text>
      <Text style={text}>Every alert carries a link to unsubscribe at any time.</Text>
    </EmailLayout>
  );
}

AlertSubscriptionConfirm.PreviewProps = PreviewProps;
