import { Text } from "@react-email/components";
import { z } from "zod";
import { link, pluralize, singleLine } from "./_shared/fields";
import { EmailLayout, text } from "./_shared/layout";

export const schema = z.object({
  inviterName: singleLine(200),
  workspaceName: singleLine(200),
  role: singleLine(40),
  url: link,
  expiresInDays: z.number().int().positive().max(365),
});
export type InvitationProps = z.infer<typeof schema>;

export const PreviewProps: InvitationProps = {
  inviterName: "Grace Hopper",
  workspaceName: "Acme Data",
  role: "developer",
  url: "http://localhost:3000/invitations/preview-token",
  expiresInDays: 7,
};

export function subject({ inviterName, workspaceName }: InvitationProps): string {
  return `${inviterName} invited you to ${workspaceName} on Baton`;
}

export default function Invitation({ inviterName, workspaceName, role, url, expiresInDays }: InvitationProps) {
  return (
    <EmailLayout
      preview={`Join ${workspaceName} on Baton as ${role}.`}
      title={`Join ${workspaceName} on Baton`}
      action={{ label: "Accept invitation", url }}
      footer="If you weren’t expecting this invitation, you can ignore this email: you won’t be added to the workspace unless you accept."
    >
      <Text style={text}>
        {inviterName} invited you to the {workspaceName} workspace on Baton with the role <strong>{role}</strong>.
      </Text>
      <Text style={text}>The invitation expires in {pluralize(expiresInDays, "day")}.</Text>
    </EmailLayout>
  );
}

Invitation.PreviewProps = PreviewProps;
