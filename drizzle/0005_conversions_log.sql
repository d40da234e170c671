DROP INDEX "conversions_tenant_status_idx";--> statement-breakpoint
ALTER TABLE "conversions" ADD COLUMN "source" text DEFAULT 'api' NOT NULL;--> statement-breakpoint
ALTER TABLE "conversions" ADD COLUMN "next_attempt_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "conversions" ADD COLUMN "last_error" text;--> statement-breakpoint
CREATE INDEX "conversions_tenant_status_created_idx" ON "conversions" USING btree ("tenant_id","status","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "conversions_tenant_event_created_idx" ON "conversions" USING btree ("tenant_id","event_name","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "conversions_tenant_number_created_idx" ON "conversions" USING btree ("tenant_id","number_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "conversions" ADD CONSTRAINT "conversions_source_check" CHECK ("conversions"."source" in ('api', 'console_test', 'automatic'));