"use client";

import { useMemo, useState, type FormEvent } from "react";
import { Alert, Button } from "@/app/_components/ui";
import { buildFormModel, collectParameters, initialValues, mapServerErrors, type FieldErrors, type FieldModel, type FormValues } from "./form-model";

export type SubmitResult = { ok: true } | { ok: false; message: string; fieldErrors?: Record<string, string[]> | null };

const inputClass = "rounded-md border border-slate-300 bg-white px-2.5 py-1.5 outline-none focus:border-slate-500 focus:ring-2 focus:ring-slate-200 aria-invalid:border-red-500";
const idOf = (path: string) => `param-${path.replace(/[^\w-]/g, "_")}`;

function Field({ field, values, errors, onChange }: { field: FieldModel; values: FormValues; errors: FieldErrors; onChange: (path: string, v: string | boolean) => void }) {
  const id = idOf(field.path);
  const error = errors[field.path];
  const hint =
    field.kind === "array" ? `One per line${field.itemKind && field.itemKind !== "string" ? ` (${field.itemKind === "enum" ? (field.options ?? []).map(String).join(", ") : field.itemKind})` : ""}.` : field.kind === "date-time" ? "Date and time with a zone, e.g. 2026-05-01T09:00:00Z." : field.kind === "json" ? "JSON." : null;
  const describedBy = [field.description && `${id}-description`, hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
  const common = { id, "aria-invalid": error ? true : undefined, "aria-required": field.required || undefined, "aria-describedby": describedBy };
  // Outside the label, so the field's name is just its label; aria-required says it to screen readers.
  const required = field.required && (
    <span className="ml-1 text-red-700" aria-hidden="true" title="required">
      *
    </span>
  );
  const notes = (
    <>
      {field.description && (
        <p id={`${id}-description`} className="text-xs text-slate-500">
          {field.description}
        </p>
      )}
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-xs text-red-700">
          {error}
        </p>
      )}
    </>
  );

  if (field.kind === "object") {
    return (
      <fieldset className="flex flex-col gap-3 rounded-md border border-slate-200 p-3" aria-describedby={describedBy}>
        <legend className="px-1 font-medium text-slate-700">
          {field.label}
          {required}
        </legend>
        {notes}
        {(field.fields ?? []).map((f) => (
          <Field key={f.path} field={f} values={values} errors={errors} onChange={onChange} />
        ))}
      </fieldset>
    );
  }
  if (field.kind === "boolean") {
    return (
      <div className="flex flex-col gap-1">
        <div className="flex items-center gap-2">
          <input type="checkbox" {...common} checked={values[field.path] === true} onChange={(e) => onChange(field.path, e.target.checked)} className="h-4 w-4" />
          <label htmlFor={id} className="font-medium text-slate-700">
            {field.label}
          </label>
          {required}
        </div>
        {notes}
      </div>
    );
  }
  const text = typeof values[field.path] === "string" ? (values[field.path] as string) : "";
  let control;
  if (field.kind === "enum") {
    control = (
      <select {...common} value={text} onChange={(e) => onChange(field.path, e.target.value)} className="rounded-md border border-slate-300 bg-white px-2 py-1.5 aria-invalid:border-red-500">
        <option value="">{field.required ? "Choose…" : "(default)"}</option>
        {(field.options ?? []).map((o) => (
          <option key={JSON.stringify(o)} value={JSON.stringify(o)}>
            {String(o)}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === "array" || field.kind === "json") {
    control = <textarea {...common} rows={field.kind === "json" ? 4 : 3} value={text} onChange={(e) => onChange(field.path, e.target.value)} className={`${inputClass} font-mono text-xs`} />;
  } else {
    const type = field.kind === "date" ? "date" : "text";
    const inputMode = field.kind === "integer" ? "numeric" : field.kind === "number" ? "decimal" : undefined;
    control = <input type={type} inputMode={inputMode} {...common} value={text} onChange={(e) => onChange(field.path, e.target.value)} className={inputClass} />;
  }
  return (
    <div className="flex flex-col gap-1">
      <div>
        <label htmlFor={id} className="font-medium text-slate-700">
          {field.label}
        </label>
        {required}
      </div>
      {control}
      {notes}
    </div>
  );
}

/**
 * A Run form generated from a deployment's parameter schema: defaults prefilled, required fields
 * marked, wrong types caught here, and the server's per-field answer (422) shown on the fields.
 */
export function ParameterForm({
  schema,
  defaults,
  submitLabel,
  onSubmit,
  onCancel,
  formLabel = "Run parameters",
  emptyText = "This deployment takes no parameters.",
  busyLabel = "Starting…",
}: {
  schema: Record<string, unknown> | null;
  defaults: Record<string, unknown>;
  submitLabel: string;
  /** For other forms made from a schema (a paused run's input): the form's name, what it says with no fields, the busy button. */
  formLabel?: string;
  emptyText?: string;
  busyLabel?: string;
  onSubmit: (parameters: Record<string, unknown>) => Promise<SubmitResult>;
  onCancel?: () => void;
}) {
  const model = useMemo(() => buildFormModel(schema, defaults), [schema, defaults]);
  const [values, setValues] = useState<FormValues>(() => initialValues(model, schema, defaults));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const onChange = (path: string, v: string | boolean) => {
    setValues((prev) => ({ ...prev, [path]: v }));
    setErrors((prev) => {
      if (!(path in prev)) return prev;
      const next = { ...prev };
      delete next[path];
      return next;
    });
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    const { parameters, errors: clientErrors } = collectParameters(model, values);
    setErrors(clientErrors);
    setFormErrors([]);
    if (Object.keys(clientErrors).length) return;
    setBusy(true);
    const result = await onSubmit(parameters).finally(() => setBusy(false));
    if (!result.ok) {
      const mapped = result.fieldErrors ? mapServerErrors(model, result.fieldErrors) : { fields: {}, form: [] };
      setErrors(mapped.fields);
      setFormErrors(Object.keys(mapped.fields).length || mapped.form.length ? mapped.form : [result.message]);
    }
  }

  const count = Object.keys(errors).length;
  return (
    <form onSubmit={submit} noValidate aria-label={formLabel} className="flex flex-col gap-4">
      {model.length === 0 && <p className="text-slate-600">{emptyText}</p>}
      {model.map((f) => (
        <Field key={f.path} field={f} values={values} errors={errors} onChange={onChange} />
      ))}
      {count > 0 && <Alert>{count === 1 ? "One field needs attention." : `${count} fields need attention.`}</Alert>}
      {formErrors.map((m) => (
        <Alert key={m}>{m}</Alert>
      ))}
      <div className="flex gap-2">
        <Button type="submit" disabled={busy}>
          {busy ? busyLabel : submitLabel}
        </Button>
        {onCancel && (
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}
