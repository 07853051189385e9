/*
 * A parameter template: the parameters a run gets when something other than a person starts it
 * (an automation's "run a deployment" action, an incoming webhook). It is a JSON object whose
 * string values may hold `{{ path }}` placeholders over what triggered it:
 *
 *   { "date": "{{ run.parameters.date }}", "source": "upstream {{ run.name }}", "retrain": true }
 *
 * A value that is exactly one placeholder keeps the type of what it names (a number stays a
 * number, an object an object); a placeholder inside other text is written as text (objects as
 * JSON). A path is dot-separated keys, array items by index (`body.commits.0.id`); header names are
 * lower case (`headers.x-github-event`). A path that names nothing refuses the whole template: the
 * run is not started with a silently empty parameter.
 *
 * No database and no server-only imports: the automation and webhook forms check a template in
 * the browser with the same code the server renders it with.
 */

export const MAX_PARAMETER_TEMPLATE_BYTES = 16 * 1024;
/** Nesting of the template object itself (not of the values it renders). */
const MAX_DEPTH = 8;

// `{{ path }}`: spaces optional. What is between the braces must be a path (checked when saved).
const TOKEN = /\{\{\s*([^{}]*?)\s*\}\}/g;
const WHOLE = /^\{\{\s*([^{}]*?)\s*\}\}$/;
const PATH = /^[A-Za-z_][\w-]*(\.[\w-]+)*$/;

export type ParameterTemplate = Record<string, unknown>;

/** A template that cannot be saved or rendered: the sentence to show, and where. */
export class ParameterTemplateError extends Error {
  constructor(
    message: string,
    /** "date" or "data.path" (where in the template), or "" for the whole template. */
    readonly field: string,
  ) {
    super(message);
  }
}

/** Every placeholder path the template uses, with where it sits; in order, without repeats. */
export function templatePaths(template: ParameterTemplate): { path: string; field: string }[] {
  const out: { path: string; field: string }[] = [];
  walk(template, "", (value, field) => {
    for (const m of value.matchAll(TOKEN)) if (!out.some((o) => o.path === m[1])) out.push({ path: m[1], field });
    return value;
  });
  return out;
}

/**
 * Checks a template when it is saved: an object, small enough, every placeholder a path under one
 * of `roots` (e.g. run, flow, deployment, automation; or body, headers, query). Throws
 * ParameterTemplateError with a sentence that says what to write instead.
 */
export function checkParameterTemplate(template: unknown, roots: readonly string[]): ParameterTemplate {
  if (template === null || typeof template !== "object" || Array.isArray(template)) {
    throw new ParameterTemplateError('The parameter template must be a JSON object of parameter names, e.g. { "date": "{{ run.parameters.date }}" }.', "");
  }
  const bytes = new TextEncoder().encode(JSON.stringify(template)).length;
  if (bytes > MAX_PARAMETER_TEMPLATE_BYTES) {
    throw new ParameterTemplateError(`The parameter template is ${bytes.toLocaleString("en-US")} bytes; the limit is ${MAX_PARAMETER_TEMPLATE_BYTES.toLocaleString("en-US")}. Pass a reference (a path or an id) rather than the data itself.`, "");
  }
  walk(template, "", (value, field) => {
    const rest = value.replace(TOKEN, "");
    if (rest.includes("{{") || rest.includes("}}")) {
      throw new ParameterTemplateError(`Unbalanced braces in ${field}: write a placeholder as {{ run.parameters.date }}, two braces on each side.`, field);
    }
    for (const m of value.matchAll(TOKEN)) {
      const path = m[1];
      if (!PATH.test(path)) throw new ParameterTemplateError(`{{ ${path} }} in ${field} is not a path: write dot-separated names, e.g. {{ ${roots[0]}.${roots[0] === "body" ? "ref" : "parameters.date"} }}.`, field);
      const root = path.split(".")[0];
      if (!roots.includes(root)) throw new ParameterTemplateError(`{{ ${path} }} in ${field} starts with "${root}", which is not available here: use ${roots.map((r) => `{{ ${r}.… }}`).join(", ")}.`, field);
    }
    return value;
  });
  return template as ParameterTemplate;
}

/**
 * Renders a template over `context` (what triggered the run). Throws ParameterTemplateError when a
 * placeholder names nothing, so a refused render says which one.
 */
export function renderParameterTemplate(template: ParameterTemplate, context: Record<string, unknown>): Record<string, unknown> {
  return walk(template, "", (value, field) => {
    const whole = WHOLE.exec(value);
    if (whole) return lookup(context, whole[1], field);
    return value.replace(TOKEN, (_, path: string) => {
      const v = lookup(context, path, field);
      return typeof v === "string" ? v : JSON.stringify(v);
    });
  }) as Record<string, unknown>;
}

/** The template's keys whose value holds a placeholder: their values are only known when it fires. */
export function templatedKeys(template: ParameterTemplate): string[] {
  return Object.entries(template)
    .filter(([, v]) => JSON.stringify(v).includes("{{"))
    .map(([k]) => k);
}

function lookup(context: Record<string, unknown>, path: string, field: string): unknown {
  let v: unknown = context;
  for (const key of path.split(".")) {
    if (v === null || typeof v !== "object" || !Object.prototype.hasOwnProperty.call(v, key)) {
      throw new ParameterTemplateError(`{{ ${path} }} (in ${field}) has no value in what triggered the run.`, field);
    }
    v = (v as Record<string, unknown>)[key];
  }
  if (v === undefined) throw new ParameterTemplateError(`{{ ${path} }} (in ${field}) has no value in what triggered the run.`, field);
  return v;
}

/** Applies `fn` to every string in the template (keys untouched), depth-limited. */
function walk(value: unknown, field: string, fn: (s: string, field: string) => unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new ParameterTemplateError(`The parameter template nests deeper than ${MAX_DEPTH} levels; flatten it.`, field);
  if (typeof value === "string") return fn(value, field || "the template");
  if (Array.isArray(value)) return value.map((v, i) => walk(v, `${field}.${i}`, fn, depth + 1));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, field ? `${field}.${k}` : k, fn, depth + 1)]));
  }
  return value;
}
