CREATE TABLE "quick_replies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"shortcut" text NOT NULL,
	"text" text NOT NULL,
	"created_by" uuid,
	"demo" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "quick_replies_shortcut_check" CHECK ("quick_replies"."shortcut" ~ '^[A-Za-z0-9_-]{1,32}$'),
	CONSTRAINT "quick_replies_text_length_check" CHECK (char_length("quick_replies"."text") between 1 and 4096)
);
--> statement-breakpoint
ALTER TABLE "messages" DROP CONSTRAINT "messages_status_check";--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "wamid" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "stop_on_reply" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "quiet_hours_start" smallint;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "quiet_hours_end" smallint;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "drip_stop_events" text[] DEFAULT array['Purchase']::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "quick_replies" ADD CONSTRAINT "quick_replies_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quick_replies" ADD CONSTRAINT "quick_replies_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "quick_replies_tenant_demo_idx" ON "quick_replies" USING btree ("tenant_id") WHERE "quick_replies"."demo";--> statement-breakpoint
CREATE UNIQUE INDEX "quick_replies_tenant_shortcut_key" ON "quick_replies" USING btree ("tenant_id","shortcut");--> statement-breakpoint
CREATE INDEX "messages_pending_idx" ON "messages" USING btree ("created_at") WHERE "messages"."status" = 'pending';--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_status_check" CHECK ("messages"."status" in ('pending', 'received', 'accepted', 'sent', 'delivered', 'read', 'failed', 'deleted'));--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_quiet_hours_check" CHECK (("tenants"."quiet_hours_start" is null and "tenants"."quiet_hours_end" is null) or ("tenants"."quiet_hours_start" between 0 and 1439 and "tenants"."quiet_hours_end" between 0 and 1439));