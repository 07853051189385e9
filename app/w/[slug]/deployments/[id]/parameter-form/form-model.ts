/**
 * A deployment's parameter JSON Schema (draft-07) turned into form fields, the form's values back
 * into run parameters, and the server's per-field errors mapped onto the fields. Pure functions:
 * the React form only renders what these return.
 */

export type FieldKind = "string" | "number" | "integer" | "boolean" | "enum" | "date" | "date-time" | "array" | "object" | "json";
export type ItemKind = Exclude<FieldKind, "array" | "object" | "json">;

export type FieldModel = {
  /** Dotted path from the root ("epochs", "data.path"), the same the server names in its errors. */
  path: string;
  key: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  /** enum: the allowed values; arrays of enums: the item's. */
  options?: unknown[];
  /** array: the kind of each item (one per line). */
  itemKind?: ItemKind;
  /** object: its properties, as fields. */
  fields?: FieldModel[];
};

/** Text as typed for every field, except checkboxes; arrays are one item per line. Keyed by path. */
export type FormValues = Record<string, string | boolean>;
export type FieldErrors = Record<string, string>;

type Schema = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function typeOf(schema: Schema): string | undefined {
  const t = schema.type;
  if (Array.isArray(t)) return t.find((x) => x !== "null") as string | undefined;
  return typeof t === "string" ? t : undefined;
}

function scalarKind(schema: Schema): ItemKind | null {
  if (Array.isArray(schema.enum)) return "enum";
  const t = typeOf(schema);
  if (t === "string") return schema.format === "date" ? "date" : schema.format === "date-time" ? "date-time" : "string";
  if (t === "number" || t === "integer" || t === "boolean") return t;
  return null;
}

function kindOfValue(value: unknown): FieldKind {
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return "array";
  return "json";
}

function fieldsOf(schema: Schema, prefix: string): FieldModel[] {
  const props = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  // Postgres jsonb does not keep key order, so the schema's own order is lost once stored: show
  // required fields first, then by "x-order" when a property has one, then alphabetically.
  const order = (key: string) => {
    const p = props[key];
    return isObject(p) && typeof p["x-order"] === "number" ? p["x-order"] : Number.MAX_SAFE_INTEGER;
  };
  const keys = Object.keys(props).sort((a, b) => Number(required.has(b)) - Number(required.has(a)) || order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
  return keys.map((key) => {
    const raw = props[key];
    const s = isObject(raw) ? raw : {};
    const path = prefix ? `${prefix}.${key}` : key;
    const base = {
      path,
      key,
      label: typeof s.title === "string" && s.title ? s.title : key,
      required: required.has(key),
      description: typeof s.description === "string" ? s.description : undefined,
    };
    const scalar = scalarKind(s);
    if (scalar) return { ...base, kind: scalar, options: scalar === "enum" ? (s.enum as unknown[]) : undefined };
    const t = typeOf(s);
    if (t === "array" && isObject(s.items)) {
      const itemKind = scalarKind(s.items);
      if (itemKind) return { ...base, kind: "array", itemKind, options: itemKind === "enum" ? (s.items.enum as unknown[]) : undefined };
    }
    if (t === "object" && isObject(s.properties)) return { ...base, kind: "object", fields: fieldsOf(s, path) };
    return { ...base, kind: "json" };
  });
}

/**
 * The fields of a parameter schema. Without a schema, the deployment's default parameters say
 * which fields there are (and their types), so a run can still change them.
 */
export function buildFormModel(schema: Schema | null | undefined, defaults: Record<string, unknown> = {}): FieldModel[] {
  if (schema && (typeOf(schema) === "object" || isObject(schema.properties))) return fieldsOf(schema, "");
  return Object.entries(defaults).map(([key, value]) => {
    const kind = kindOfValue(value);
    return { path: key, key, label: key, kind, required: false, itemKind: kind === "array" ? "string" : undefined };
  });
}

function get(obj: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), obj);
}

function schemaDefaults(schema: Schema | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const props = schema && isObject(schema.properties) ? schema.properties : {};
  for (const [key, s] of Object.entries(props)) {
    if (!isObject(s)) continue;
    if (s.default !== undefined) out[key] = s.default;
    else if (isObject(s.properties)) {
      const nested = schemaDefaults(s);
      if (Object.keys(nested).length) out[key] = nested;
    }
  }
  return out;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

function toText(kind: FieldKind | ItemKind, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (kind === "enum") return JSON.stringify(value);
  if (kind === "json") return JSON.stringify(value, null, 2);
  return String(value);
}

/** What the form starts with: the deployment's default parameters over the schema's defaults. */
export function initialValues(model: FieldModel[], schema: Schema | null | undefined, defaults: Record<string, unknown> = {}): FormValues {
  const merged = deepMerge(schemaDefaults(schema), defaults);
  const out: FormValues = {};
  const walk = (fields: FieldModel[]) => {
    for (const f of fields) {
      const v = get(merged, f.path);
      if (f.kind === "object") walk(f.fields ?? []);
      else if (f.kind === "boolean") out[f.path] = v === true;
      else if (f.kind === "array") out[f.path] = Array.isArray(v) ? v.map((item) => toText(f.itemKind!, item)).join("\n") : "";
      else out[f.path] = toText(f.kind, v);
    }
  };
  walk(model);
  return out;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/** One typed value from its text, or the reason it is not one. */
function parseScalar(kind: ItemKind | "json", text: string, options?: unknown[]): { value: unknown } | { error: string } {
  switch (kind) {
    case "string":
      return { value: text };
    case "integer":
      return /^[+-]?\d+$/.test(text.trim()) ? { value: Number(text.trim()) } : { error: "Must be a whole number." };
    case "number": {
      const n = Number(text.trim());
      return text.trim() !== "" && Number.isFinite(n) ? { value: n } : { error: "Must be a number." };
    }
    case "boolean":
      return /^(true|false)$/i.test(text.trim()) ? { value: text.trim().toLowerCase() === "true" } : { error: "Must be true or false." };
    case "enum": {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = text;
      }
      const match = options?.find((o) => JSON.stringify(o) === JSON.stringify(value) || String(o) === text.trim());
      return match !== undefined ? { value: match } : { error: `Must be one of ${(options ?? []).map((o) => String(o)).join(", ")}.` };
    }
    case "date":
      return DATE.test(text.trim()) && !Number.isNaN(Date.parse(text.trim())) ? { value: text.trim() } : { error: "Must be a date (YYYY-MM-DD)." };
    case "date-time":
      return DATE_TIME.test(text.trim()) && !Number.isNaN(Date.parse(text.trim()))
        ? { value: text.trim() }
        : { error: "Must be a date and time with a zone, e.g. 2026-05-01T09:00:00Z." };
    case "json":
      try {
        return { value: JSON.parse(text) };
      } catch {
        return { error: "Must be valid JSON." };
      }
  }
}

/**
 * The run parameters the form's values stand for, and an error per field that is missing or of
 * the wrong type. Empty optional fields are left out, so the deployment's defaults apply.
 */
export function collectParameters(model: FieldModel[], values: FormValues): { parameters: Record<string, unknown>; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const walk = (fields: FieldModel[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      if (f.kind === "object") {
        const nested = walk(f.fields ?? []);
        if (Object.keys(nested).length || f.required) out[f.key] = nested;
        continue;
      }
      const raw = values[f.path];
      if (f.kind === "boolean") {
        out[f.key] = raw === true;
        continue;
      }
      const text = typeof raw === "string" ? raw : "";
      if (f.kind === "array") {
        const lines = text.split("\n").map((l) => (f.itemKind === "string" ? l : l.trim())).filter((l) => l.trim() !== "");
        const items: unknown[] = [];
        lines.forEach((line, i) => {
          const r = parseScalar(f.itemKind!, line, f.options);
          if ("error" in r) errors[f.path] ??= `Line ${i + 1}: ${r.error.charAt(0).toLowerCase()}${r.error.slice(1)}`;
          else items.push(r.value);
        });
        if (items.length || f.required) out[f.key] = items;
        continue;
      }
      if (text.trim() === "") {
        if (f.required) errors[f.path] = "Required.";
        continue;
      }
      const r = parseScalar(f.kind, text, f.options);
      if ("error" in r) errors[f.path] = r.error;
      else out[f.key] = r.value;
    }
    return out;
  };
  const parameters = walk(model);
  return { parameters, errors };
}

function allPaths(model: FieldModel[]): string[] {
  return model.flatMap((f) => [f.path, ...allPaths(f.fields ?? [])]);
}

const sentence = (m: string) => {
  const t = m.trim();
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
};

/**
 * The server's 422 details (`{ "epochs": ["must be integer"], "data.path": ["is required"],
 * "tags.1": […], "": […] }`) put on the fields they belong to: the field itself, or the nearest
 * field above it (an array item's error goes on the array). What belongs to no field is returned
 * as form errors.
 */
export function mapServerErrors(model: FieldModel[], fieldErrors: Record<string, string[] | undefined>): { fields: FieldErrors; form: string[] } {
  const paths = allPaths(model).sort((a, b) => b.length - a.length);
  const fields: FieldErrors = {};
  const form: string[] = [];
  for (const [key, messages] of Object.entries(fieldErrors)) {
    if (!messages?.length) continue;
    const target = paths.find((p) => key === p || key.startsWith(`${p}.`));
    if (target === undefined) {
      form.push(`${key || "Parameters"} ${messages.join(", ")}`);
      continue;
    }
    const rest = key === target ? "" : key.slice(target.length + 1);
    const where = !rest ? "" : /^\d+$/.test(rest) ? `Item ${Number(rest) + 1}: ` : `${rest}: `;
    const text = `${where}${messages.join(", ")}`;
    fields[target] = fields[target] ? `${fields[target]} ${sentence(text)}` : sentence(text);
  }
  return { fields, form };
}
