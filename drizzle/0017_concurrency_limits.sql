CREATE TABLE "concurrency_limits" (
	"workspace_id" uuid NOT NULL,
	"tag" text NOT NULL,
	"limit" integer NOT NULL,
	"updated_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "concurrency_limits_workspace_id_tag_pk" PRIMARY KEY("workspace_id","tag"),
	CONSTRAINT "concurrency_limits_limit" CHECK ("concurrency_limits"."limit" >= 0)
);
--> statement-breakpoint
ALTER TABLE "concurrency_limits" ADD CONSTRAINT "concurrency_limits_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;