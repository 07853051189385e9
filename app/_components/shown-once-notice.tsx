"use client";

import { useRef, useState, type ReactNode } from "react";
import { Button } from "@/app/_components/ui";

/**
 * A secret shown once (a new API key, a webhook signing secret): the server keeps only a hash or
 * an encrypted copy, so this box with Copy and Done is the person's one chance to take it.
 */
export function ShownOnceNotice(props: { title: ReactNode; explanation: ReactNode; label: string; inputId: string; value: string; what: string; onDone: () => void; className?: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [copyStatus, setCopyStatus] = useState("");

  async function copy() {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopyStatus("Copied to the clipboard.");
    } catch {
      input.current?.select();
      setCopyStatus(`Could not copy automatically: the ${props.what} is selected, press Ctrl+C (⌘C on a Mac).`);
    }
  }

  return (
    <section className={`rounded-lg border border-amber-300 bg-amber-50 p-5 ${props.className ?? ""}`}>
      <h2 className="mb-1 text-base font-semibold">{props.title}</h2>
      <p className="mb-3 font-medium text-amber-900">{props.explanation}</p>
      <div className="flex flex-col gap-1">
        <label htmlFor={props.inputId} className="font-medium text-slate-700">
          {props.label}
        </label>
        <div className="flex flex-wrap items-center gap-2">
          <input
            ref={input}
            id={props.inputId}
            readOnly
            value={props.value}
            onFocus={(e) => e.target.select()}
            className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2.5 py-1.5 font-mono text-xs"
          />
          <Button variant="secondary" onClick={copy}>
            Copy
          </Button>
          <Button onClick={props.onDone}>Done</Button>
        </div>
        <p role="status" className="min-h-4 text-xs text-slate-600">
          {copyStatus}
        </p>
      </div>
    </section>
  );
}
