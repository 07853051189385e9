"use client";

import { useRef, useState } from "react";
import { Button } from "@/app/_components/ui";

/** The only time the full key is shown: the server keeps just its hash. */
export function NewKeyNotice({ name, apiKey, onDone }: { name: string; apiKey: string; onDone: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copyStatus, setCopyStatus] = useState("");

  async function copy() {
    try {
      await navigator.clipboard.writeText(apiKey);
      setCopyStatus("Copied to the clipboard.");
    } catch {
      input.current?.select();
      setCopyStatus("Could not copy automatically: the key is selected, press Ctrl+C (⌘C on a Mac).");
    }
  }

  return (
    <section className="rounded-lg border border-amber-300 bg-amber-50 p-5">
      <h2 className="mb-1 text-base font-semibold">Key “{name}” created</h2>
      <p className="mb-3 font-medium text-amber-900">Copy this key now. You won&apos;t see it again.</p>
      <div className="flex flex-col gap-1">
        <label htmlFor="new-api-key" className="font-medium text-slate-700">
          New API key
        </label>
        <div className="flex flex-wrap items-center gap-2">
          <input
            ref={input}
            id="new-api-key"
            readOnly
            value={apiKey}
            onFocus={(e) => e.target.select()}
            className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2.5 py-1.5 font-mono text-xs"
          />
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
