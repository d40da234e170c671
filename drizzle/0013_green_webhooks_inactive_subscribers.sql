ALTER TABLE "webhook_events" DROP CONSTRAINT "webhook_events_provider_check";--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "inactive_after_days" integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "dedupe_key" text;--> statement-breakpoint
ALTER TABLE "whatsapp_numbers" ADD COLUMN "green_webhook_token_enc" text;--> statement-breakpoint
CREATE INDEX "subscribers_tenant_active_silent_since_idx" ON "subscribers" USING btree ("tenant_id",coalesce("last_inbound_at", "first_seen_at")) WHERE "subscribers"."status" = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_events_number_dedupe_key" ON "webhook_events" USING btree ("number_id","dedupe_key") WHERE "webhook_events"."dedupe_key" is not null;--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_inactive_after_days_check" CHECK ("tenants"."inactive_after_days" between 1 and 3650);--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_provider_check" CHECK ("webhook_events"."provider" in ('cloud', 'gupshup', 'green'));