CREATE TABLE "alert_email_subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"address" text NOT NULL,
	"token_hash" text NOT NULL,
	"token_sealed" text NOT NULL,
	"requested_by" uuid,
	"confirmed_at" timestamp with time zone,
	"unsubscribed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "workspace_usage" ADD COLUMN "alert_emails" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_email_subscriptions" ADD CONSTRAINT "alert_email_subscriptions_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_email_subscriptions" ADD CONSTRAINT "alert_email_subscriptions_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alert_email_subscriptions_address" ON "alert_email_subscriptions" USING btree ("workspace_id","address");--> statement-breakpoint
CREATE UNIQUE INDEX "alert_email_subscriptions_token" ON "alert_email_subscriptions" USING btree ("token_hash");