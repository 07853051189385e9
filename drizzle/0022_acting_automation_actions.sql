ALTER TABLE "alert_destinations" DROP CONSTRAINT "alert_destinations_kind";--> statement-breakpoint
ALTER TABLE "alert_attempts" ADD COLUMN "detail" text;--> statement-breakpoint
ALTER TABLE "alert_attempts" ADD COLUMN "run_id" uuid;--> statement-breakpoint
ALTER TABLE "alert_destinations" ADD COLUMN "config" jsonb;--> statement-breakpoint
ALTER TABLE "automations" ADD COLUMN "managed_by_deployment_id" uuid;--> statement-breakpoint
ALTER TABLE "automations" ADD CONSTRAINT "automations_managed_by_deployment_id_deployments_id_fk" FOREIGN KEY ("managed_by_deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "automations_managed_name" ON "automations" USING btree ("managed_by_deployment_id","name") WHERE "automations"."managed_by_deployment_id" is not null;--> statement-breakpoint
ALTER TABLE "alert_destinations" ADD CONSTRAINT "alert_destinations_kind" CHECK ("alert_destinations"."kind" in ('email', 'slack', 'webhook', 'run_deployment', 'pause_deployment', 'resume_deployment', 'cancel_runs', 'pause_work_pool', 'resume_work_pool'));