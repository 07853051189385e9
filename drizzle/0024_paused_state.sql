CREATE TABLE "flow_run_pauses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"flow_run_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"transition_id" uuid NOT NULL,
	"schema" jsonb NOT NULL,
	"message" text,
	"timeout_at" timestamp with time zone NOT NULL,
	"input" jsonb,
	"submitted_by" text,
	"submitted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "flow_run_states" DROP CONSTRAINT "flow_run_states_type";--> statement-breakpoint
ALTER TABLE "flow_runs" DROP CONSTRAINT "flow_runs_state_type";--> statement-breakpoint
DROP INDEX "flow_runs_active_idx";--> statement-breakpoint
DROP INDEX "flow_runs_lease_idx";--> statement-breakpoint
DROP INDEX "flow_runs_active_children_idx";--> statement-breakpoint
ALTER TABLE "flow_run_pauses" ADD CONSTRAINT "flow_run_pauses_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_run_pauses" ADD CONSTRAINT "flow_run_pauses_flow_run_id_flow_runs_id_fk" FOREIGN KEY ("flow_run_id") REFERENCES "public"."flow_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "flow_run_pauses_transition_key" ON "flow_run_pauses" USING btree ("flow_run_id","transition_id");--> statement-breakpoint
CREATE INDEX "flow_run_pauses_run_idx" ON "flow_run_pauses" USING btree ("flow_run_id","created_at");--> statement-breakpoint
CREATE INDEX "flow_run_pauses_open_idx" ON "flow_run_pauses" USING btree ("timeout_at") WHERE "flow_run_pauses"."submitted_at" is null;--> statement-breakpoint
CREATE INDEX "flow_runs_active_idx" ON "flow_runs" USING btree ("work_pool_id","deployment_id") WHERE "flow_runs"."state_type" in ('PENDING', 'RUNNING', 'CANCELLING', 'PAUSED');--> statement-breakpoint
CREATE INDEX "flow_runs_lease_idx" ON "flow_runs" USING btree ("lease_expires_at") WHERE "flow_runs"."state_type" in ('PENDING', 'RUNNING', 'CANCELLING', 'PAUSED');--> statement-breakpoint
CREATE INDEX "flow_runs_active_children_idx" ON "flow_runs" USING btree ("parent_run_id") WHERE "flow_runs"."parent_run_id" is not null and "flow_runs"."state_type" in ('SCHEDULED', 'PENDING', 'RUNNING', 'PAUSED');--> statement-breakpoint
ALTER TABLE "flow_run_states" ADD CONSTRAINT "flow_run_states_type" CHECK ("flow_run_states"."type" in ('SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CRASHED', 'CANCELLING', 'CANCELLED', 'PAUSED'));--> statement-breakpoint
ALTER TABLE "flow_runs" ADD CONSTRAINT "flow_runs_state_type" CHECK ("flow_runs"."state_type" in ('SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CRASHED', 'CANCELLING', 'CANCELLED', 'PAUSED'));