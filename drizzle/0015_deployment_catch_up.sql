ALTER TABLE "deployments" ADD COLUMN "catch_up" text DEFAULT 'latest' NOT NULL;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "max_lateness_seconds" integer;--> statement-breakpoint
CREATE INDEX "flow_runs_catch_up_idx" ON "flow_runs" USING btree ("scheduled_time") WHERE "flow_runs"."state_type" = 'SCHEDULED' and "flow_runs"."state_name" in ('Scheduled', 'Late') and "flow_runs"."schedule_id" is not null and "flow_runs"."attempt" = 0;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_catch_up" CHECK ("deployments"."catch_up" in ('all', 'latest', 'none'));--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_max_lateness" CHECK ("deployments"."max_lateness_seconds" is null or "deployments"."max_lateness_seconds" > 0);