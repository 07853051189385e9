CREATE TABLE "incoming_webhook_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"endpoint_id" uuid NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"headers" jsonb NOT NULL,
	"query" jsonb NOT NULL,
	"body" text NOT NULL,
	"body_bytes" integer NOT NULL,
	"delivery_id" text,
	"outcome" text NOT NULL,
	"status" integer NOT NULL,
	"message" text,
	"run_id" uuid,
	CONSTRAINT "incoming_webhook_requests_outcome" CHECK (outcome in ('run_created', 'duplicate', 'refused_template', 'refused_parameters', 'refused_signature', 'refused_body', 'rate_limited', 'disabled', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "incoming_webhooks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"deployment_id" uuid NOT NULL,
	"name" text NOT NULL,
	"token" text NOT NULL,
	"signature_scheme" text DEFAULT 'none' NOT NULL,
	"sealed_secret" text,
	"parameter_template" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"rate_limit_per_minute" integer DEFAULT 60 NOT NULL,
	"rate_window_start" timestamp with time zone,
	"rate_window_count" integer DEFAULT 0 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "incoming_webhooks_scheme" CHECK ("incoming_webhooks"."signature_scheme" in ('none', 'github', 'stripe')),
	CONSTRAINT "incoming_webhooks_secret" CHECK (("incoming_webhooks"."signature_scheme" = 'none') = ("incoming_webhooks"."sealed_secret" is null)),
	CONSTRAINT "incoming_webhooks_rate" CHECK ("incoming_webhooks"."rate_limit_per_minute" between 1 and 6000)
);
--> statement-breakpoint
ALTER TABLE "incoming_webhook_requests" ADD CONSTRAINT "incoming_webhook_requests_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incoming_webhook_requests" ADD CONSTRAINT "incoming_webhook_requests_endpoint_id_incoming_webhooks_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."incoming_webhooks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incoming_webhooks" ADD CONSTRAINT "incoming_webhooks_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incoming_webhooks" ADD CONSTRAINT "incoming_webhooks_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "incoming_webhook_requests_endpoint_idx" ON "incoming_webhook_requests" USING btree ("endpoint_id","id");--> statement-breakpoint
CREATE INDEX "incoming_webhook_requests_workspace_idx" ON "incoming_webhook_requests" USING btree ("workspace_id");--> statement-breakpoint
CREATE UNIQUE INDEX "incoming_webhooks_token_key" ON "incoming_webhooks" USING btree ("token");--> statement-breakpoint
CREATE UNIQUE INDEX "incoming_webhooks_workspace_name_key" ON "incoming_webhooks" USING btree ("workspace_id","name");