DROP INDEX "whatsapp_numbers_phone_number_id_key";--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "raw_body_exact_b64" text;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "raw_body_kind" text DEFAULT 'exact' NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "body_sha256" text;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "body_bytes" integer;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "verified_phone_number_ids" text[];--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "refused_phone_number_ids" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "whatsapp_numbers" ADD COLUMN "phone_number_id_proven_at" timestamp (3) with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "whatsapp_numbers_phone_number_id_proven_key" ON "whatsapp_numbers" USING btree ("phone_number_id") WHERE "whatsapp_numbers"."phone_number_id_proven_at" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "whatsapp_numbers_tenant_phone_number_id_key" ON "whatsapp_numbers" USING btree ("tenant_id","phone_number_id");--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_raw_body_kind_check" CHECK ("webhook_events"."raw_body_kind" in ('exact', 'tenant_copy', 'prefix'));--> statement-breakpoint
-- numbers that already passed the Graph check keep their webhooks: their Phone Number ID counts as proven
UPDATE "whatsapp_numbers" SET "phone_number_id_proven_at" = coalesce("last_checked_at", now()) WHERE "provider" = 'cloud' AND "connection_status" = 'connected' AND "phone_number_id" IS NOT NULL;
