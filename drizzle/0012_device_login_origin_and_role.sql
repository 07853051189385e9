ALTER TABLE "device_authorizations" ADD COLUMN "requested_user_agent" text;--> statement-breakpoint
ALTER TABLE "device_authorizations" ADD COLUMN "key_role" text;