"use client";

import { ShownOnceNotice } from "@/app/_components/shown-once-notice";

/** The only time the full key is shown: the server keeps just its hash. */
export function NewKeyNotice({ name, apiKey, onDone }: { name: string; apiKey: string; onDone: () => void }) {
  return (
    <ShownOnceNotice
      title={`Key “${name}” created`}
      explanation={<>Copy this key now. You won&apos;t see it again.</>}
      label="New API key"
      inputId="new-api-key"
      value={apiKey}
      what="key"
      onDone={onDone}
    />
  );
}
