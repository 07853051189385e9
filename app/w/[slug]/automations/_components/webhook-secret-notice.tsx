"use client";

import { useRef, useState } from "react";
import { Button } from "@/app/_components/ui";
import type { NewSecret } from "./secret-handoff";

/** The only time a webhook signing secret is shown: the server keeps it encrypted and never returns it again. */
export function WebhookSecretNotice({ secret, onDone }: { secret: NewSecret; onDone: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copyStatus, setCopyStatus] = useState("");
  const id = `secret-${secret.destinationId}`;

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret.secret);
      setCopyStatus("Copied to the clipboard.");
    } catch {
      input.current?.select();
      setCopyStatus("Could not copy automatically: the secret is selected, press Ctrl+C (⌘C on a Mac).");
    }
  }

  return (
    <section className="mb-6 rounded-lg border border-amber-300 bg-amber-50 p-5">
      <h2 className="mb-1 text-base font-semibold">Signing secret for the webhook to {secret.target}</h2>
      <p className="mb-3 font-medium text-amber-900">
        Copy this secret now and give it to the receiver, which verifies the Baton-Signature header with it. You won&apos;t see it again.
      </p>
      <div className="flex flex-col gap-1">
        <label htmlFor={id} className="font-medium text-slate-700">
          Webhook signing secret
        </label>
        <div className="flex flex-wrap items-center gap-2">
          <input ref={input} id={id} readOnly value={secret.secret} onFocus={(e) => e.target.select()} className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2.5 py-1.5 font-mono text-xs" />
          <Button variant="secondary" onClick={copy}>
            Copy
          </Button>
          <Button onClick={onDone}>Done</Button>
        </div>
        <p role="status" className="min-h-4 text-xs text-slate-600">
          {copyStatus}
        </p>
      </div>
    </section>
  );
}
