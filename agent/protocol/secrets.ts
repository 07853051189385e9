import { z } from "zod";

/** Names of secrets and variables: what `{{ secrets.NAME }}` can spell and a URL segment can carry unescaped. */
export const SECRET_NAME_PATTERN = /^[a-z0-9_-]{1,64}$/;
export const MAX_VALUE_BYTES = 64 * 1024;

export const configNameSchema = z
  .string()
  .regex(SECRET_NAME_PATTERN, "Use 1–64 lowercase letters, digits, - or _ (for example aws-key or s3_bucket)")
  .meta({ description: "1–64 lowercase letters, digits, - and _" });

const byteLength = (s: string) => new TextEncoder().encode(s).length;

export const secretValueSchema = z
  .string()
  .min(1, "A secret's value cannot be empty")
  .refine((s) => byteLength(s) <= MAX_VALUE_BYTES, "A secret's value is at most 64 KiB");

export const variableValueSchema = z
  .unknown()
  .refine((v) => v !== undefined && v !== null, "A variable needs a value (null is not one: delete the variable instead)")
  .refine((v) => byteLength(JSON.stringify(v) ?? "") <= MAX_VALUE_BYTES, "A variable's value is at most 64 KiB as JSON")
  .meta({ description: "Any JSON value (a string, number, boolean, list or object), at most 64 KiB as JSON" });

export const secretSetSchema = z.object({ value: secretValueSchema.meta({ description: "The value; it is sealed at rest and never shown again" }) }).meta({ id: "SecretSet" });
export const variableSetSchema = z.object({ value: variableValueSchema }).meta({ id: "VariableSet" });

/** Where a secret or variable is used: the deployments that reference or declare it. */
export const usedBySchema = z.array(z.object({ id: z.uuid(), flowName: z.string(), name: z.string() })).meta({ id: "UsedBy" });

/** A secret as anyone may see it: never its value. */
export const secretSchema = z
  .object({
    name: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedBy: z.string(),
    updatedAt: z.string(),
    usedBy: usedBySchema,
  })
  .meta({ id: "Secret" });

export const variableSchema = z
  .object({
    name: z.string(),
    value: z.unknown(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedBy: z.string(),
    updatedAt: z.string(),
    usedBy: usedBySchema,
  })
  .meta({ id: "Variable" });

export const secretListSchema = z.object({ secrets: z.array(secretSchema) }).meta({ id: "SecretList" });
export const variableListSchema = z.object({ variables: z.array(variableSchema) }).meta({ id: "VariableList" });

/** What a run (by its token) or a developer's key reads from code. */
export const secretValueReadSchema = z.object({ name: z.string(), value: z.string() }).meta({ id: "SecretValue" });

export type SecretView = z.infer<typeof secretSchema>;
export type VariableView = z.infer<typeof variableSchema>;
export type UsedBy = z.infer<typeof usedBySchema>;

// ── A deployment's environment ───────────────────────────────────────────────────────────────

/** An environment variable's name as a process environment takes it; BATON_* is Baton's own. */
export const envKeySchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "An environment variable's name uses letters, digits and _ and does not start with a digit")
  .refine((k) => !k.toUpperCase().startsWith("BATON_"), "BATON_* environment variables are set by Baton itself");

/** A value that looks like a reference: `{{ … }}` with anything inside. */
const REFERENCE_LIKE = /\{\{|\}\}/;
const REFERENCE = /^\{\{\s*(secrets|variables)\.([a-z0-9_-]{1,64})\s*\}\}$/;

export type EnvReference = { kind: "secret" | "variable"; name: string };

/**
 * `{{ secrets.NAME }}` or `{{ variables.NAME }}` as the whole value → the reference; a literal →
 * null. Anything else with braces (`{{ secret.x }}`, `{{secrets.X}}`, a reference inside a longer
 * string) is an error, so a typo is refused at deploy time instead of reaching a run as text.
 */
export function parseEnvValue(value: string): EnvReference | null | { error: string } {
  const m = REFERENCE.exec(value);
  if (m) return { kind: m[1] === "secrets" ? "secret" : "variable", name: m[2] };
  if (REFERENCE_LIKE.test(value)) {
    return {
      error: `${JSON.stringify(value)} is not a reference: write the whole value as {{ secrets.NAME }} or {{ variables.NAME }} (lowercase name, 1–64 of a-z 0-9 - _); a literal cannot contain {{ or }}`,
    };
  }
  return null;
}

export const envSchema = z
  .record(envKeySchema, z.string().max(MAX_VALUE_BYTES, "An environment value is at most 64 KiB"))
  .superRefine((env, ctx) => {
    if (Object.keys(env).length > 200) ctx.addIssue({ code: "custom", message: "At most 200 environment variables" });
    for (const [key, value] of Object.entries(env)) {
      const parsed = parseEnvValue(value);
      if (parsed && "error" in parsed) ctx.addIssue({ code: "custom", path: [key], message: `env.${key}: ${parsed.error}` });
    }
  })
  .meta({
    id: "DeploymentEnv",
    description: "Environment variables of the deployment's runs: a literal string, or `{{ secrets.NAME }}` / `{{ variables.NAME }}` resolved when a run is claimed",
  });

export type DeploymentEnv = z.infer<typeof envSchema>;

/** The secrets and variables a deployment's env refers to, each once. */
export function envReferences(env: Record<string, string>): { secrets: string[]; variables: string[] } {
  const secrets = new Set<string>();
  const variables = new Set<string>();
  for (const value of Object.values(env)) {
    const ref = parseEnvValue(value);
    if (ref && !("error" in ref)) (ref.kind === "secret" ? secrets : variables).add(ref.name);
  }
  return { secrets: [...secrets].sort(), variables: [...variables].sort() };
}

/** A variable as an environment value: a string as itself, anything else as JSON (docs/secrets.md). */
export function renderVariable(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
