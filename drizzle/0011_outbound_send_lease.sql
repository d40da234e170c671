ALTER TABLE "outbound_messages" ADD COLUMN "lease_owner" uuid;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD COLUMN "send_started_at" timestamp (3) with time zone;