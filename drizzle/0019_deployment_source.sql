ALTER TABLE "deployments" ADD COLUMN "source" jsonb;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "source_host" text;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "setup" jsonb;--> statement-breakpoint
ALTER TABLE "flow_runs" ADD COLUMN "source_commit" text;