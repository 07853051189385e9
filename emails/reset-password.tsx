import { Text } from "@react-email/components";
import { z } from "zod";
import { link, pluralize } from "./_shared/fields";
import { EmailLayout, text } from "./_shared/layout";

export const schema = z.object({
  url: link,
  expiresInMinutes: z.number().int().positive().max(7 * 24 * 60),
});
export type ResetPasswordProps = z.infer<typeof schema>;

export const PreviewProps: ResetPasswordProps = {
  url: "http://localhost:3000/reset-password?token=preview-token",
  expiresInMinutes: 60,
};

export function subject(_props: ResetPasswordProps): string {
  return "Reset your Baton password";
}

function duration(minutes: number): string {
  return minutes % 60 === 0 ? pluralize(minutes / 60, "hour") : pluralize(minutes, "minute");
}

export default function ResetPassword({ url, expiresInMinutes }: ResetPasswordProps) {
  return (
    <EmailLayout
      preview={`Choose a new password for Baton. The link works for ${duration(expiresInMinutes)}.`}
      title="Reset your password"
      action={{ label: "Choose a new password", url }}
      footer="If you didn’t ask to reset your password, you can ignore this email: your password stays the same."
    >
      <Text style={text}>
        Someone asked to reset the password of the Baton account for this address. Choose a new password
        with the link below; it works for {duration(expiresInMinutes)}.
      </Text>
    </EmailLayout>
  );
}

ResetPassword.PreviewProps = PreviewProps;
