import { z } from "zod";

/** Empty strings count as unset, so `FOO= npm start` behaves like no FOO at all. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

const flag = z.preprocess((v) => (v === "" ? undefined : v), z.enum(["0", "1", "true", "false", "on", "off"]).optional())
  .transform((v) => v === "1" || v === "true" || v === "on");

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: optional(z.coerce.number().int().min(1).max(65535)).default(3000),
  /** Unset: all interfaces, or loopback only while the dev mailbox is on (see listenHost). */
  HOST: optional(z.string()),
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")),
  DATABASE_POOL_MAX: optional(z.coerce.number().int().min(1).max(200)).default(10),
  BATON_DATA_DIR: optional(z.string()).default(".baton"),
  BATON_PG_PORT: optional(z.coerce.number().int().min(1).max(65535)).default(54329),
  BATON_PUBLIC_URL: optional(z.url()),
  BATON_SERVICES: optional(z.enum(["on", "off"])).default("on"),
  BATON_LATE_AFTER_SECONDS: optional(z.coerce.number().int().min(1).max(86_400)).default(15),
  BATON_RETENTION_DAYS: optional(z.coerce.number().int().min(1).max(3650)).default(30),
  BATON_SIGNUPS_PER_IP_PER_HOUR: optional(z.coerce.number().int().min(1).max(100_000)).default(10),
  BATON_DEV_MAILBOX: flag,
  BATON_TRUST_PROXY: flag,
  AUTH_SECRET: optional(z.string().min(32, "must be at least 32 characters (try: openssl rand -base64 33)")),
  AUTH_GITHUB_ID: optional(z.string()),
  AUTH_GITHUB_SECRET: optional(z.string()),
  AUTH_GOOGLE_ID: optional(z.string()),
  AUTH_GOOGLE_SECRET: optional(z.string()),
  RESEND_API_KEY: optional(z.string()),
  RESEND_BASE_URL: optional(z.url()),
  EMAIL_FROM: optional(z.string()).default("Baton <noreply@baton.localhost>"),
  /** 32 bytes, base64: encrypts Slack and webhook URLs and secrets at rest. Unset: derived from AUTH_SECRET. */
  BATON_ENCRYPTION_KEY: optional(
    z.string().refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes in base64 (try: openssl rand -base64 32)"),
  ),
  /** Self-hosting: let Slack and webhook URLs point at private, loopback or link-local addresses. */
  BATON_ALLOW_PRIVATE_WEBHOOKS: flag,
  /** Set: Baton is the hosted product, with plans, limits and billing. Unset: self-hosted, no limits. */
  STRIPE_SECRET_KEY: optional(z.string()),
  STRIPE_WEBHOOK_SECRET: optional(z.string()),
  STRIPE_PRICE_PRO: optional(z.string()),
  STRIPE_PRICE_TEAM: optional(z.string()),
  /** Where the Stripe SDK sends requests (tests point it at a local stand-in); unset: Stripe's own API. */
  STRIPE_API_URL: optional(z.url()),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

/** The validated configuration. A bad value stops start-up with a message naming the variable. */
export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}

/** The start-up sequence fills DATABASE_URL and AUTH_SECRET after the first read; re-read then. */
export function reloadEnv(): Env {
  cached = undefined;
  return env();
}

export function publicUrl(): string {
  const e = env();
  return (e.BATON_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, "");
}

export function devMailboxEnabled(): boolean {
  const e = env();
  return e.NODE_ENV !== "production" || e.BATON_DEV_MAILBOX;
}

/** The dev mailbox shows every reset link: while it is on, listen on loopback unless HOST says otherwise. */
export function listenHost(): string {
  return env().HOST ?? (devMailboxEnabled() ? "127.0.0.1" : "0.0.0.0");
}

/** The names a browser may use for this server while the dev mailbox is on (against DNS rebinding). */
export function devMailboxHostnames(): ReadonlySet<string> | null {
  if (!devMailboxEnabled()) return null;
  return new Set(["localhost", "127.0.0.1", "[::1]", new URL(publicUrl()).hostname]);
}
