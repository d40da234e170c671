DROP INDEX "conversations_tenant_ad_idx";--> statement-breakpoint
ALTER TABLE "ads" ADD COLUMN "demo" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "demo" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "conversions" ADD COLUMN "demo" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "demo" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "demo" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD COLUMN "demo" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "demo" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "demo" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "demo" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "whatsapp_numbers" ADD COLUMN "demo" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "conversations_tenant_demo_idx" ON "conversations" USING btree ("tenant_id") WHERE "conversations"."demo";--> statement-breakpoint
CREATE INDEX "conversations_tenant_ad_started_idx" ON "conversations" USING btree ("tenant_id","ad_id","started_at");--> statement-breakpoint
CREATE INDEX "conversions_tenant_demo_idx" ON "conversions" USING btree ("tenant_id") WHERE "conversions"."demo";--> statement-breakpoint
CREATE INDEX "leads_tenant_demo_idx" ON "leads" USING btree ("tenant_id") WHERE "leads"."demo";--> statement-breakpoint
CREATE INDEX "messages_tenant_demo_idx" ON "messages" USING btree ("tenant_id") WHERE "messages"."demo";--> statement-breakpoint
CREATE INDEX "outbound_messages_tenant_demo_idx" ON "outbound_messages" USING btree ("tenant_id") WHERE "outbound_messages"."demo";--> statement-breakpoint
CREATE INDEX "subscribers_tenant_demo_idx" ON "subscribers" USING btree ("tenant_id") WHERE "subscribers"."demo";--> statement-breakpoint
CREATE INDEX "webhook_events_tenant_demo_idx" ON "webhook_events" USING btree ("tenant_id") WHERE "webhook_events"."demo";--> statement-breakpoint
-- Demo data loaded before this migration: mark it as the loader now does. Its numbers are the three demo phones,
-- created exactly 45 days before the load; activity on them can only be the demo's (they are unproven and hold no
-- webhook token); leads and conversions on them count only when written by the load (not after it); the
-- templates are the demo's names, created exactly 40 days before the load.
UPDATE "whatsapp_numbers" n SET "demo" = true FROM "tenants" t
  WHERE t."id" = n."tenant_id" AND t."demo_loaded_at" IS NOT NULL AND n."created_at" = t."demo_loaded_at" - interval '45 days'
    AND n."phone_e164" IN ('+79001234567', '+79007654321', '+79005550123');--> statement-breakpoint
UPDATE "subscribers" SET "demo" = true WHERE "number_id" IN (SELECT "id" FROM "whatsapp_numbers" WHERE "demo");--> statement-breakpoint
UPDATE "conversations" SET "demo" = true WHERE "number_id" IN (SELECT "id" FROM "whatsapp_numbers" WHERE "demo");--> statement-breakpoint
UPDATE "messages" SET "demo" = true WHERE "number_id" IN (SELECT "id" FROM "whatsapp_numbers" WHERE "demo");--> statement-breakpoint
UPDATE "webhook_events" SET "demo" = true WHERE "number_id" IN (SELECT "id" FROM "whatsapp_numbers" WHERE "demo");--> statement-breakpoint
UPDATE "leads" l SET "demo" = true FROM "tenants" t
  WHERE t."id" = l."tenant_id" AND l."created_at" <= t."demo_loaded_at" AND l."number_id" IN (SELECT "id" FROM "whatsapp_numbers" WHERE "demo");--> statement-breakpoint
UPDATE "outbound_messages" o SET "demo" = true FROM "tenants" t
  WHERE t."id" = o."tenant_id" AND o."created_at" <= t."demo_loaded_at" AND o."lead_id" IN (SELECT "id" FROM "leads" WHERE "demo");--> statement-breakpoint
UPDATE "conversions" c SET "demo" = true FROM "tenants" t
  WHERE t."id" = c."tenant_id" AND c."created_at" <= t."demo_loaded_at" AND c."number_id" IN (SELECT "id" FROM "whatsapp_numbers" WHERE "demo");--> statement-breakpoint
UPDATE "templates" p SET "demo" = true FROM "tenants" t
  WHERE t."id" = p."tenant_id" AND t."demo_loaded_at" IS NOT NULL AND p."created_at" = t."demo_loaded_at" - interval '40 days'
    AND p."name" IN ('welcome', 'day1_acting', 'day1_oratory', 'day3', 'day5_case', 'day7');
