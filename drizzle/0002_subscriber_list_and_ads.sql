CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE TABLE "ads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"ad_id" text NOT NULL,
	"number_id" uuid,
	"ad_name" text,
	"adset_id" text,
	"adset_name" text,
	"campaign_id" text,
	"campaign_name" text,
	"creative_id" text,
	"creative_name" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"enriched_at" timestamp (3) with time zone,
	"first_seen_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ads_status_check" CHECK ("ads"."status" in ('pending', 'enriched', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "first_touch_source" text;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "first_touch_ad_id" text;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "first_touch_campaign_id" text;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "has_click_id" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "ads" ADD CONSTRAINT "ads_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ads" ADD CONSTRAINT "ads_number_id_whatsapp_numbers_id_fk" FOREIGN KEY ("number_id") REFERENCES "public"."whatsapp_numbers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ads_tenant_ad_key" ON "ads" USING btree ("tenant_id","ad_id");--> statement-breakpoint
CREATE INDEX "ads_tenant_campaign_idx" ON "ads" USING btree ("tenant_id","campaign_id");--> statement-breakpoint
CREATE INDEX "subscribers_tenant_phone_prefix_idx" ON "subscribers" USING btree ("tenant_id","wa_phone" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "subscribers_tenant_wa_id_prefix_idx" ON "subscribers" USING btree ("tenant_id","wa_id" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "subscribers_profile_name_trgm_idx" ON "subscribers" USING gin ("profile_name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "subscribers_tenant_ad_last_inbound_idx" ON "subscribers" USING btree ("tenant_id","first_touch_ad_id","last_inbound_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "subscribers"."first_touch_ad_id" is not null;--> statement-breakpoint
CREATE INDEX "subscribers_tenant_campaign_last_inbound_idx" ON "subscribers" USING btree ("tenant_id","first_touch_campaign_id","last_inbound_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "subscribers"."first_touch_campaign_id" is not null;--> statement-breakpoint
CREATE INDEX "subscribers_tenant_status_last_inbound_idx" ON "subscribers" USING btree ("tenant_id","status","last_inbound_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "subscribers"."status" <> 'active';--> statement-breakpoint
CREATE INDEX "subscribers_tenant_lifecycle_last_inbound_idx" ON "subscribers" USING btree ("tenant_id","lifecycle_state","last_inbound_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "subscribers"."lifecycle_state" <> 'lead';--> statement-breakpoint
UPDATE "subscribers" AS s SET "first_touch_source" = coalesce(c."source_type", 'unknown'), "first_touch_ad_id" = c."ad_id", "first_touch_campaign_id" = c."campaign_id"
FROM "conversations" AS c WHERE c."id" = s."first_touch_conversation_id";--> statement-breakpoint
UPDATE "subscribers" AS s SET "has_click_id" = true
WHERE EXISTS (SELECT 1 FROM "conversations" AS c WHERE c."subscriber_id" = s."id" AND c."ctwa_clid" IS NOT NULL);
