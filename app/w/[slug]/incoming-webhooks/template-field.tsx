"use client";

import { checkParameterTemplate, ParameterTemplateError } from "@/server/runs/parameter-template";

/** The roots a webhook's template reads (the server checks the same, with the same code). */
export const WEBHOOK_ROOTS = ["body", "headers", "query"] as const;

export const EXAMPLE_TEMPLATE = '{\n  "ref": "{{ body.ref }}",\n  "commit": "{{ body.head_commit.id }}"\n}';

/** The template as typed: parsed and checked in the browser, so a typo is named before saving. */
export function parseTemplate(text: string): { template: Record<string, unknown> } | { error: string } {
  if (!text.trim()) return { template: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'The template is not valid JSON: write an object such as { "ref": "{{ body.ref }}" }.' };
  }
  try {
    return { template: checkParameterTemplate(value, WEBHOOK_ROOTS) };
  } catch (err) {
    if (err instanceof ParameterTemplateError) return { error: err.message };
    throw err;
  }
}

export function TemplateField({ id, value, onChange, error }: { id: string; value: string; onChange: (v: string) => void; error?: string | null }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="font-medium text-slate-700">
        Parameter template
      </label>
      <textarea
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        rows={5}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint`}
        className="rounded-md border border-slate-300 bg-white px-2.5 py-1.5 font-mono text-sm outline-none focus:border-slate-500 focus:ring-2 focus:ring-slate-200 aria-invalid:border-red-500"
      />
      <p id={`${id}-hint`} className={`text-xs ${error ? "text-red-700" : "text-slate-500"}`}>
        {error ??
          "JSON: the run's parameters, with {{ body.… }}, {{ headers.… }} (lower case) and {{ query.… }} filled from each call. A placeholder that names nothing refuses the call (422) rather than run with an empty value."}
      </p>
    </div>
  );
}

/** A secret shown the one time the server sends it. */
export function SecretOnce({ secret, scheme }: { secret: string; scheme: string }) {
  return (
    <div role="status" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900">
      <p className="font-medium">Signing secret ({scheme}), shown only now:</p>
      <p>
        <code aria-label="Signing secret" className="break-all font-mono text-sm">
          {secret}
        </code>
      </p>
      <p className="text-sm">Paste it into the sender ({scheme === "github" ? "GitHub: the webhook's Secret field" : "as its signing secret"}). Rotate to get a new one.</p>
    </div>
  );
}
