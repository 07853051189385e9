import { z } from "zod";

/*
 * Incoming webhooks (docs/incoming-webhooks.md): a public URL that starts a run of one deployment
 * with parameters rendered from the request. The signing secret is shown once, in the answer that
 * made it (create, rotate, or a change of scheme), and never again.
 */

export const SIGNATURE_SCHEMES = ["none", "github", "stripe"] as const;
export const signatureSchemeSchema = z.enum(SIGNATURE_SCHEMES).meta({
  description: "none: the URL alone; github: X-Hub-Signature-256 over the raw body; stripe: Stripe-Signature t=…,v1=… over `t.body`, 5 minutes' tolerance",
});

export const parameterTemplateSchema = z
  .record(z.string(), z.unknown())
  .meta({ description: 'Run parameters, with `{{ body.… }}`, `{{ headers.… }}` and `{{ query.… }}` placeholders, e.g. { "ref": "{{ body.ref }}" }' });

const name = z.string().trim().min(1, "Give the endpoint a name").max(100, "A name is at most 100 characters");
/** A sender that makes its own secret (Stripe does) has it pasted here; otherwise Baton makes one. */
const ownSecret = z
  .string()
  .min(16, "A signing secret is at least 16 characters")
  .max(200, "A signing secret is at most 200 characters")
  .meta({ description: "The sender's own signing secret (Stripe makes its own: paste its whsec_…); leave out for Baton to make one" });
const rate = z.number().int().min(1).max(6000).meta({ description: "Calls a minute before 429 (default 60)" });

export const incomingWebhookSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    deploymentId: z.uuid(),
    deploymentName: z.string(),
    flowName: z.string(),
    /** Null for viewers and runners: the URL alone can start runs. */
    url: z.string().nullable().meta({ description: "The public URL to call; null for roles that may not write (the URL alone may start runs)" }),
    signatureScheme: signatureSchemeSchema,
    parameterTemplate: parameterTemplateSchema,
    enabled: z.boolean(),
    rateLimitPerMinute: z.number().int(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    lastRequestAt: z.string().nullable(),
  })
  .meta({ id: "IncomingWebhook" });
export type IncomingWebhookView = z.infer<typeof incomingWebhookSchema>;

export const incomingWebhookListSchema = z.object({ incomingWebhooks: z.array(incomingWebhookSchema) }).meta({ id: "IncomingWebhookList" });

export const createIncomingWebhookSchema = z
  .object({
    name,
    deploymentId: z.uuid(),
    parameterTemplate: parameterTemplateSchema.default({}),
    signatureScheme: signatureSchemeSchema.default("none"),
    secret: ownSecret.optional(),
    rateLimitPerMinute: rate.default(60),
  })
  .meta({ id: "CreateIncomingWebhook" });

export const updateIncomingWebhookSchema = z
  .object({
    name: name.optional(),
    deploymentId: z.uuid().optional(),
    parameterTemplate: parameterTemplateSchema.optional(),
    signatureScheme: signatureSchemeSchema.optional().meta({ description: "A change to github or stripe makes a new secret, returned once" }),
    secret: ownSecret.optional(),
    enabled: z.boolean().optional(),
    rateLimitPerMinute: rate.optional(),
  })
  .meta({ id: "UpdateIncomingWebhook" });

/** Create, rotate, update: the endpoint, and its signing secret when this answer made one (else null). */
export const incomingWebhookWithSecretSchema = z
  .object({
    incomingWebhook: incomingWebhookSchema,
    secret: z.string().nullable().meta({ description: "The signing secret Baton made, shown only in this answer; null when none was made (or you gave your own)" }),
  })
  .meta({ id: "IncomingWebhookWithSecret" });

export const WEBHOOK_OUTCOMES = [
  "run_created",
  "duplicate",
  "refused_template",
  "refused_parameters",
  "refused_signature",
  "refused_body",
  "rate_limited",
  "disabled",
  "failed",
] as const;

export const incomingWebhookRequestSchema = z
  .object({
    id: z.uuid(),
    receivedAt: z.string(),
    headers: z.record(z.string(), z.string()).meta({ description: "As received, credentials and signatures shown as [redacted]" }),
    query: z.record(z.string(), z.string()),
    body: z.string().meta({ description: "The body as text, its first 8 KiB" }),
    bodyBytes: z.number().int(),
    bodyTruncated: z.boolean(),
    deliveryId: z.string().nullable(),
    outcome: z.enum(WEBHOOK_OUTCOMES),
    status: z.number().int(),
    message: z.string().nullable(),
    runId: z.uuid().nullable(),
  })
  .meta({ id: "IncomingWebhookRequest" });
export type IncomingWebhookRequestView = z.infer<typeof incomingWebhookRequestSchema>;

export const incomingWebhookRequestListSchema = z
  .object({ requests: z.array(incomingWebhookRequestSchema), nextCursor: z.string().nullable() })
  .meta({ id: "IncomingWebhookRequestList" });

export const requestListQuerySchema = z.object({
  cursor: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** What a call of `POST /hooks/{token}` answers when a run was made (or found, for a repeated delivery id). */
export const webhookAcceptedSchema = z.object({ runId: z.uuid(), created: z.boolean(), requestId: z.uuid() }).meta({ id: "WebhookAccepted" });
