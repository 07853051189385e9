ALTER TABLE "flow_runs" ADD COLUMN "parent_run_id" uuid;--> statement-breakpoint
ALTER TABLE "flow_runs" ADD COLUMN "origin" jsonb;--> statement-breakpoint
ALTER TABLE "flow_runs" ADD COLUMN "triggered_by_run_id" uuid;--> statement-breakpoint
ALTER TABLE "flow_runs" ADD CONSTRAINT "flow_runs_parent_run_id_flow_runs_id_fk" FOREIGN KEY ("parent_run_id") REFERENCES "public"."flow_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "flow_runs_parent_idx" ON "flow_runs" USING btree ("parent_run_id") WHERE "flow_runs"."parent_run_id" is not null;--> statement-breakpoint
CREATE INDEX "flow_runs_triggered_by_idx" ON "flow_runs" USING btree ("workspace_id","triggered_by_run_id") WHERE "flow_runs"."triggered_by_run_id" is not null;