import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { AppError } from "../errors";
import { addLinearFormats, linearRegExp } from "./linear-regexp";

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false, code: { regExp: linearRegExp } });
addFormats.default(ajv);
addLinearFormats(ajv);

/** Bounds on a saved schema: it is compiled into code per process, and walked per run. */
export const MAX_SCHEMA_BYTES = 64 * 1024;
export const MAX_SCHEMA_DEPTH = 32;
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schema: Record<string, unknown>, field = "parameterSchema"): ValidateFunction {
  const key = JSON.stringify(schema);
  let v = compiled.get(key);
  if (!v) {
    try {
      v = ajv.compile(schema);
    } catch (err) {
      throw new AppError("UNPROCESSABLE", `${field} is not a valid JSON Schema: ${(err as Error).message}`);
    }
    if (compiled.size > 500) compiled.clear();
    compiled.set(key, v);
  }
  return v;
}

/** Checks that a deployment's parameter schema compiles; called when it is saved. */
export function assertValidParameterSchema(schema: Record<string, unknown> | null | undefined, field = "parameterSchema") {
  if (!schema) return;
  const bytes = Buffer.byteLength(JSON.stringify(schema));
  if (bytes > MAX_SCHEMA_BYTES) {
    throw new AppError("UNPROCESSABLE", `${field} is ${bytes} bytes; the limit is ${MAX_SCHEMA_BYTES} (64 KiB). Move shared parts into "$defs" or simplify it.`);
  }
  if (depthOf(schema) > MAX_SCHEMA_DEPTH) {
    throw new AppError("UNPROCESSABLE", `${field} nests deeper than ${MAX_SCHEMA_DEPTH} levels. Flatten it, or reuse parts with "$ref".`);
  }
  validatorFor(schema, field);
}

function depthOf(value: unknown): number {
  // Iterative, so a schema nested 100,000 deep cannot overflow the stack while being measured.
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d > max) max = d;
    if (max > MAX_SCHEMA_DEPTH) return max;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/**
 * Validates run parameters against the deployment's JSON Schema. Failure is a 422 whose details
 * map each field ("epochs", "data.path", or "" for the whole object) to what is wrong with it.
 */
export function validateParameters(
  schema: Record<string, unknown> | null | undefined,
  parameters: Record<string, unknown>,
  mismatch = "The parameters do not match the deployment's schema",
) {
  if (!schema) return;
  const validate = validatorFor(schema);
  if (validate(parameters)) return;
  const fieldErrors: Record<string, string[]> = {};
  for (const e of validate.errors ?? []) {
    const missing = e.keyword === "required" ? (e.params as { missingProperty?: string }).missingProperty : undefined;
    const path = [e.instancePath.replace(/^\//, "").replace(/\//g, "."), missing].filter(Boolean).join(".");
    const message = missing ? "is required" : (e.message ?? "is not valid");
    (fieldErrors[path] ??= []).push(message);
  }
  const summary = Object.entries(fieldErrors)
    .map(([k, v]) => `${k || "parameters"} ${v.join(", ")}`)
    .join("; ");
  throw new AppError("UNPROCESSABLE", `${mismatch}: ${summary}.`, { fieldErrors });
}

/**
 * Checks a parameter template (server/runs/parameter-template.ts) against a deployment's schema
 * when it is saved: its literal values and the deployment's defaults must fit, and every required
 * parameter must be given by one of them or by a placeholder. Placeholders are only known when it
 * fires, so their keys are checked then (validateParameters on the rendered parameters).
 */
export function validateParameterTemplate(schema: Record<string, unknown> | null | undefined, defaults: Record<string, unknown>, template: Record<string, unknown>, templated: string[]) {
  if (!schema) return;
  try {
    validateParameters(schema, { ...defaults, ...template, ...Object.fromEntries(templated.map((k) => [k, undefined])) });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const all = (err.details as { fieldErrors?: Record<string, string[]> } | undefined)?.fieldErrors ?? {};
    const fieldErrors = Object.fromEntries(
      // A templated key's value is unknown until it fires (its "is required" is given by the placeholder).
      Object.entries(all).filter(([field]) => !templated.includes(field.split(".")[0])),
    );
    if (Object.keys(fieldErrors).length === 0) return;
    const summary = Object.entries(fieldErrors)
      .map(([k, v]) => `${k || "parameters"} ${v.join(", ")}`)
      .join("; ");
    throw new AppError("UNPROCESSABLE", `The parameter template does not fit the deployment's schema: ${summary}.`, { fieldErrors });
  }
}
