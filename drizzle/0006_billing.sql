CREATE TABLE "stripe_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"workspace_id" uuid,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workspace_billing" (
	"workspace_id" uuid PRIMARY KEY NOT NULL,
	"plan" text DEFAULT 'hobby' NOT NULL,
	"stripe_customer_id" text,
	"stripe_subscription_id" text,
	"subscription_status" text,
	"current_period_end" timestamp with time zone,
	"cancel_at_period_end" boolean DEFAULT false NOT NULL,
	"past_due_since" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workspace_billing_plan" CHECK ("workspace_billing"."plan" in ('hobby', 'pro', 'team'))
);
--> statement-breakpoint
CREATE TABLE "workspace_usage" (
	"workspace_id" uuid NOT NULL,
	"month" date NOT NULL,
	"runs" integer DEFAULT 0 NOT NULL,
	"limit_hit_at" timestamp with time zone,
	"near_limit_email_at" timestamp with time zone,
	"at_limit_email_at" timestamp with time zone,
	CONSTRAINT "workspace_usage_workspace_id_month_pk" PRIMARY KEY("workspace_id","month"),
	CONSTRAINT "workspace_usage_runs" CHECK ("workspace_usage"."runs" >= 0)
);
--> statement-breakpoint
ALTER TABLE "stripe_events" ADD CONSTRAINT "stripe_events_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workspace_billing" ADD CONSTRAINT "workspace_billing_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workspace_usage" ADD CONSTRAINT "workspace_usage_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stripe_events_workspace_idx" ON "stripe_events" USING btree ("workspace_id","received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "workspace_billing_customer_key" ON "workspace_billing" USING btree ("stripe_customer_id");--> statement-breakpoint
-- A run deleted before it ever started (a schedule edited, paused or removed) gives its quota back.
CREATE FUNCTION baton_refund_run_quota() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE workspace_usage SET runs = greatest(runs - 1, 0)
   WHERE workspace_id = OLD.workspace_id AND month = date_trunc('month', OLD.scheduled_time AT TIME ZONE 'UTC')::date;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER flow_runs_refund_quota AFTER DELETE ON flow_runs
  FOR EACH ROW WHEN (OLD.state_type = 'SCHEDULED' AND OLD.attempt = 0) EXECUTE FUNCTION baton_refund_run_quota();
