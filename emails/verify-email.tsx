import { Text } from "@react-email/components";
import { z } from "zod";
import { link, singleLine } from "./_shared/fields";
import { EmailLayout, text } from "./_shared/layout";

export const schema = z.object({
  name: singleLine(200).optional(),
  url: link,
});
export type VerifyEmailProps = z.infer<typeof schema>;

export const PreviewProps: VerifyEmailProps = {
  name: "Ada",
  url: "http://localhost:3000/verify-email?token=preview-token",
};

export function subject(_props: VerifyEmailProps): string {
  return "Confirm your email address for Baton";
}

export default function VerifyEmail({ name, url }: VerifyEmailProps) {
  return (
    <EmailLayout
      preview="Confirm your email address to finish setting up your Baton account."
      title="Confirm your email address"
      action={{ label: "Confirm email address", url }}
      footer="If you didn’t sign up for Baton, you can ignore this email: no account is set up until the address is confirmed."
    >
      <Text style={text}>{name ? `Hi ${name},` : "Hi,"}</Text>
      <Text style={text}>Confirm that this is your address to finish setting up your Baton account.</Text>
    </EmailLayout>
  );
}

VerifyEmail.PreviewProps = PreviewProps;
