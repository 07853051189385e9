import { Text } from "@react-email/components";
import { z } from "zod";
import { link, singleLine } from "./_shared/fields";
import { EmailLayout, text } from "./_shared/layout";

export const schema = z.object({
  workspaceName: singleLine(200),
  planName: singleLine(40),
  /** Already formatted, e.g. "3 December 2026". */
  graceEndsOn: singleLine(60),
  url: link,
});
export type PaymentFailedProps = z.infer<typeof schema>;

export const PreviewProps: PaymentFailedProps = {
  workspaceName: "Acme Data",
  planName: "Pro",
  graceEndsOn: "3 December 2026",
  url: "http://localhost:3000/w/acme/settings/billing",
};

export function subject({ workspaceName }: PaymentFailedProps): string {
  return `Payment failed for ${workspaceName} on Baton`;
}

export default function PaymentFailed({ workspaceName, planName, graceEndsOn, url }: PaymentFailedProps) {
  return (
    <EmailLayout
      preview={`Update the card for ${workspaceName} before ${graceEndsOn}.`}
      title="Your payment failed"
      action={{ label: "Update payment method", url }}
      footer="Stripe retries the payment automatically. If you have already updated the card, you can ignore this email."
    >
      <Text style={text}>
        We could not charge the card for {workspaceName}&apos;s {planName} plan. The workspace keeps {planName} until {graceEndsOn}; after
        that it falls back to Hobby and its limits, unless the payment goes through.
      </Text>
    </EmailLayout>
  );
}

PaymentFailed.PreviewProps = PreviewProps;
