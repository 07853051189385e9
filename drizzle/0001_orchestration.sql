CREATE TABLE "agents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"work_pool_id" uuid NOT NULL,
	"name" text NOT NULL,
	"hostname" text,
	"version" text,
	"slots" integer,
	"last_heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "work_pools" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"concurrency_limit" integer,
	"paused" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "work_pools_concurrency_limit" CHECK ("work_pools"."concurrency_limit" is null or "work_pools"."concurrency_limit" >= 0)
);
--> statement-breakpoint
CREATE TABLE "deployments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"flow_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"kind" text NOT NULL,
	"entrypoint" text,
	"command" text,
	"work_pool_id" uuid NOT NULL,
	"parameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"parameter_schema" jsonb,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"retries" integer DEFAULT 0 NOT NULL,
	"retry_delay" jsonb DEFAULT '{"kind":"fixed","seconds":0}'::jsonb NOT NULL,
	"timeout_seconds" integer,
	"concurrency_limit" integer,
	"paused" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deployments_kind" CHECK (("deployments"."kind" = 'flow' and "deployments"."entrypoint" is not null) or ("deployments"."kind" = 'command' and "deployments"."command" is not null)),
	CONSTRAINT "deployments_retries" CHECK ("deployments"."retries" >= 0),
	CONSTRAINT "deployments_concurrency_limit" CHECK ("deployments"."concurrency_limit" is null or "deployments"."concurrency_limit" >= 0)
);
--> statement-breakpoint
CREATE TABLE "flows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "schedules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"deployment_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"cron" text,
	"interval_seconds" integer,
	"anchor" timestamp with time zone,
	"rrule" text,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"parameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"filled_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "schedules_kind" CHECK (("schedules"."kind" = 'cron' and "schedules"."cron" is not null) or ("schedules"."kind" = 'interval' and "schedules"."interval_seconds" > 0) or ("schedules"."kind" = 'rrule' and "schedules"."rrule" is not null))
);
--> statement-breakpoint
CREATE TABLE "artifacts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"flow_run_id" uuid,
	"task_run_id" uuid,
	"key" text,
	"type" text NOT NULL,
	"description" text,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "artifacts_type" CHECK ("artifacts"."type" in ('markdown', 'table', 'link'))
);
--> statement-breakpoint
CREATE TABLE "cache_entries" (
	"workspace_id" uuid NOT NULL,
	"key" text NOT NULL,
	"value" jsonb,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "flow_run_states" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "flow_run_states_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workspace_id" uuid NOT NULL,
	"flow_run_id" uuid NOT NULL,
	"type" text NOT NULL,
	"name" text NOT NULL,
	"message" text,
	"attempt" integer NOT NULL,
	"transition_id" uuid,
	"timestamp" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "flow_run_states_type" CHECK ("flow_run_states"."type" in ('SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CRASHED', 'CANCELLING', 'CANCELLED'))
);
--> statement-breakpoint
CREATE TABLE "flow_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"flow_id" uuid NOT NULL,
	"deployment_id" uuid,
	"schedule_id" uuid,
	"work_pool_id" uuid,
	"name" text NOT NULL,
	"parameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"state_type" text NOT NULL,
	"state_name" text NOT NULL,
	"state_message" text,
	"state_timestamp" timestamp with time zone DEFAULT now() NOT NULL,
	"scheduled_time" timestamp with time zone NOT NULL,
	"slot_time" timestamp with time zone,
	"priority" integer DEFAULT 0 NOT NULL,
	"start_time" timestamp with time zone,
	"end_time" timestamp with time zone,
	"claimed_at" timestamp with time zone,
	"attempt" integer DEFAULT 0 NOT NULL,
	"auto_retries" integer DEFAULT 0 NOT NULL,
	"agent_id" uuid,
	"lease_token" uuid,
	"lease_expires_at" timestamp with time zone,
	"idempotency_key" text,
	"created_by" text,
	"auto_scheduled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "flow_runs_state_type" CHECK ("flow_runs"."state_type" in ('SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CRASHED', 'CANCELLING', 'CANCELLED')),
	CONSTRAINT "flow_runs_attempt" CHECK ("flow_runs"."attempt" >= 0)
);
--> statement-breakpoint
CREATE TABLE "logs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "logs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workspace_id" uuid NOT NULL,
	"flow_run_id" uuid NOT NULL,
	"task_run_id" uuid,
	"attempt" integer NOT NULL,
	"seq" integer NOT NULL,
	"level" text NOT NULL,
	"timestamp" timestamp with time zone NOT NULL,
	"message" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "task_run_states" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "task_run_states_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workspace_id" uuid NOT NULL,
	"task_run_id" uuid NOT NULL,
	"type" text NOT NULL,
	"name" text NOT NULL,
	"message" text,
	"transition_id" uuid,
	"timestamp" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_run_states_type" CHECK ("task_run_states"."type" in ('SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CRASHED', 'CANCELLING', 'CANCELLED'))
);
--> statement-breakpoint
CREATE TABLE "task_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"flow_run_id" uuid NOT NULL,
	"flow_run_attempt" integer NOT NULL,
	"task_key" text NOT NULL,
	"dynamic_key" text NOT NULL,
	"name" text NOT NULL,
	"state_type" text NOT NULL,
	"state_name" text NOT NULL,
	"state_message" text,
	"state_timestamp" timestamp with time zone DEFAULT now() NOT NULL,
	"cache_key" text,
	"attempt" integer DEFAULT 1 NOT NULL,
	"upstream_task_run_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"start_time" timestamp with time zone,
	"end_time" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_runs_state_type" CHECK ("task_runs"."state_type" in ('SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CRASHED', 'CANCELLING', 'CANCELLED'))
);
--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_work_pool_id_work_pools_id_fk" FOREIGN KEY ("work_pool_id") REFERENCES "public"."work_pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_pools" ADD CONSTRAINT "work_pools_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_work_pool_id_work_pools_id_fk" FOREIGN KEY ("work_pool_id") REFERENCES "public"."work_pools"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flows" ADD CONSTRAINT "flows_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_flow_run_id_flow_runs_id_fk" FOREIGN KEY ("flow_run_id") REFERENCES "public"."flow_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cache_entries" ADD CONSTRAINT "cache_entries_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_run_states" ADD CONSTRAINT "flow_run_states_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_run_states" ADD CONSTRAINT "flow_run_states_flow_run_id_flow_runs_id_fk" FOREIGN KEY ("flow_run_id") REFERENCES "public"."flow_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_runs" ADD CONSTRAINT "flow_runs_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_runs" ADD CONSTRAINT "flow_runs_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_runs" ADD CONSTRAINT "flow_runs_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_runs" ADD CONSTRAINT "flow_runs_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_runs" ADD CONSTRAINT "flow_runs_work_pool_id_work_pools_id_fk" FOREIGN KEY ("work_pool_id") REFERENCES "public"."work_pools"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_runs" ADD CONSTRAINT "flow_runs_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "logs" ADD CONSTRAINT "logs_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "logs" ADD CONSTRAINT "logs_flow_run_id_flow_runs_id_fk" FOREIGN KEY ("flow_run_id") REFERENCES "public"."flow_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_run_states" ADD CONSTRAINT "task_run_states_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_run_states" ADD CONSTRAINT "task_run_states_task_run_id_task_runs_id_fk" FOREIGN KEY ("task_run_id") REFERENCES "public"."task_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_runs" ADD CONSTRAINT "task_runs_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_runs" ADD CONSTRAINT "task_runs_flow_run_id_flow_runs_id_fk" FOREIGN KEY ("flow_run_id") REFERENCES "public"."flow_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "agents_workspace_name_key" ON "agents" USING btree ("workspace_id","name");--> statement-breakpoint
CREATE INDEX "agents_pool_idx" ON "agents" USING btree ("workspace_id","work_pool_id");--> statement-breakpoint
CREATE UNIQUE INDEX "work_pools_workspace_name_key" ON "work_pools" USING btree ("workspace_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "deployments_workspace_flow_name_key" ON "deployments" USING btree ("workspace_id","flow_id","name");--> statement-breakpoint
CREATE INDEX "deployments_pool_idx" ON "deployments" USING btree ("workspace_id","work_pool_id");--> statement-breakpoint
CREATE UNIQUE INDEX "flows_workspace_name_key" ON "flows" USING btree ("workspace_id","name");--> statement-breakpoint
CREATE INDEX "schedules_deployment_idx" ON "schedules" USING btree ("workspace_id","deployment_id");--> statement-breakpoint
CREATE INDEX "schedules_active_idx" ON "schedules" USING btree ("active","filled_until");--> statement-breakpoint
CREATE INDEX "artifacts_run_idx" ON "artifacts" USING btree ("workspace_id","flow_run_id");--> statement-breakpoint
CREATE INDEX "artifacts_key_idx" ON "artifacts" USING btree ("workspace_id","key","created_at") WHERE "artifacts"."key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "cache_entries_key" ON "cache_entries" USING btree ("workspace_id","key");--> statement-breakpoint
CREATE INDEX "cache_entries_expiry_idx" ON "cache_entries" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "flow_run_states_run_idx" ON "flow_run_states" USING btree ("flow_run_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "flow_run_states_transition_key" ON "flow_run_states" USING btree ("flow_run_id","transition_id") WHERE "flow_run_states"."transition_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "flow_runs_idempotency_key" ON "flow_runs" USING btree ("workspace_id","idempotency_key") WHERE "flow_runs"."idempotency_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "flow_runs_schedule_slot_key" ON "flow_runs" USING btree ("schedule_id","slot_time") WHERE "flow_runs"."schedule_id" is not null and "flow_runs"."slot_time" is not null;--> statement-breakpoint
CREATE INDEX "flow_runs_due_idx" ON "flow_runs" USING btree ("work_pool_id","priority","scheduled_time") WHERE "flow_runs"."state_type" = 'SCHEDULED';--> statement-breakpoint
CREATE INDEX "flow_runs_deployment_due_idx" ON "flow_runs" USING btree ("deployment_id","priority","scheduled_time") WHERE "flow_runs"."state_type" = 'SCHEDULED';--> statement-breakpoint
CREATE INDEX "flow_runs_active_idx" ON "flow_runs" USING btree ("work_pool_id","deployment_id") WHERE "flow_runs"."state_type" in ('PENDING', 'RUNNING', 'CANCELLING');--> statement-breakpoint
CREATE INDEX "flow_runs_late_idx" ON "flow_runs" USING btree ("scheduled_time") WHERE "flow_runs"."state_type" = 'SCHEDULED' and "flow_runs"."state_name" = 'Scheduled';--> statement-breakpoint
CREATE INDEX "flow_runs_lease_idx" ON "flow_runs" USING btree ("lease_expires_at") WHERE "flow_runs"."state_type" in ('PENDING', 'RUNNING', 'CANCELLING');--> statement-breakpoint
CREATE INDEX "flow_runs_workspace_idx" ON "flow_runs" USING btree ("workspace_id","id");--> statement-breakpoint
CREATE INDEX "flow_runs_deployment_idx" ON "flow_runs" USING btree ("workspace_id","deployment_id","id");--> statement-breakpoint
CREATE INDEX "flow_runs_flow_idx" ON "flow_runs" USING btree ("workspace_id","flow_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "logs_line_key" ON "logs" USING btree ("flow_run_id","attempt","seq");--> statement-breakpoint
CREATE INDEX "logs_workspace_run_idx" ON "logs" USING btree ("workspace_id","flow_run_id","id");--> statement-breakpoint
CREATE INDEX "logs_timestamp_idx" ON "logs" USING btree ("timestamp");--> statement-breakpoint
CREATE INDEX "task_run_states_task_idx" ON "task_run_states" USING btree ("task_run_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "task_run_states_transition_key" ON "task_run_states" USING btree ("task_run_id","transition_id") WHERE "task_run_states"."transition_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "task_runs_identity_key" ON "task_runs" USING btree ("flow_run_id","flow_run_attempt","task_key","dynamic_key");--> statement-breakpoint
CREATE INDEX "task_runs_workspace_idx" ON "task_runs" USING btree ("workspace_id","flow_run_id");--> statement-breakpoint
-- Every workspace has a `default` work pool; create it for workspaces made before pools existed.
INSERT INTO "work_pools" ("workspace_id", "name", "description")
SELECT "id", 'default', 'Created with the workspace' FROM "workspaces"
ON CONFLICT DO NOTHING;
