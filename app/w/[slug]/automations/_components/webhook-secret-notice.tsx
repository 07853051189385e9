"use client";

import { ShownOnceNotice } from "@/app/_components/shown-once-notice";
import type { NewSecret } from "./secret-handoff";

/** The only time a webhook signing secret is shown: the server keeps it encrypted and never returns it again. */
export function WebhookSecretNotice({ secret, onDone }: { secret: NewSecret; onDone: () => void }) {
  return (
    <ShownOnceNotice
      className="mb-6"
      title={`Signing secret for the webhook to ${secret.target}`}
      explanation={<>Copy this secret now and give it to the receiver, which verifies the Baton-Signature header with it. You won&apos;t see it again.</>}
      label="Webhook signing secret"
      inputId={`secret-${secret.destinationId}`}
      value={secret.secret}
      what="secret"
      onDone={onDone}
    />
  );
}
