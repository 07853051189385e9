import { Text } from "@react-email/components";
import { z } from "zod";
import { link } from "./_shared/fields";
import { EmailLayout, text } from "./_shared/layout";

export const schema = z.object({
  /** Sign in: the mail's one button. */
  url: link,
  resetUrl: link,
});
export type SignupExistingAccountProps = z.infer<typeof schema>;

export const PreviewProps: SignupExistingAccountProps = {
  url: "http://localhost:3000/signin",
  resetUrl: "http://localhost:3000/forgot-password",
};

export function subject(_props: SignupExistingAccountProps): string {
  return "Someone tried to create a Baton account with your address";
}

export default function SignupExistingAccount({ url, resetUrl }: SignupExistingAccountProps) {
  return (
    <EmailLayout
      preview="You already have a Baton account: sign in, or reset your password."
      title="You already have an account"
      action={{ label: "Sign in", url }}
      footer="If this wasn’t you, you can ignore this email: nothing about your account changed."
    >
      <Text style={text}>
        Someone tried to sign up for Baton with this address, which already has an account. If that was you, sign in
        instead. If you forgot your password, reset it here: {resetUrl}
      </Text>
    </EmailLayout>
  );
}

SignupExistingAccount.PreviewProps = PreviewProps;
