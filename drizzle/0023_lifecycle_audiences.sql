CREATE TABLE "meta_audience_members" (
	"audience_id" uuid NOT NULL,
	"subscriber_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"added_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "meta_audience_members_pkey" PRIMARY KEY("audience_id","subscriber_id")
);
--> statement-breakpoint
CREATE TABLE "meta_audiences" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"number_id" uuid,
	"access_token_enc" text,
	"ad_account_id" text NOT NULL,
	"audience_id" text NOT NULL,
	"name" text NOT NULL,
	"segment" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"sync_status" text DEFAULT 'idle' NOT NULL,
	"size_sent" integer DEFAULT 0 NOT NULL,
	"added_total" integer DEFAULT 0 NOT NULL,
	"removed_total" integer DEFAULT 0 NOT NULL,
	"last_synced_at" timestamp (3) with time zone,
	"last_full_sync_at" timestamp (3) with time zone,
	"synced_through" timestamp (3) with time zone,
	"last_error" text,
	"last_error_hint" text,
	"last_error_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "meta_audiences_sync_status_check" CHECK ("meta_audiences"."sync_status" in ('idle', 'syncing', 'error'))
);
--> statement-breakpoint
ALTER TABLE "conversions" DROP CONSTRAINT "conversions_source_check";--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "lifecycle_score_until" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "conversions_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "conversions_value" numeric(14, 2) DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "lifecycle_events" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "meta_audience_members" ADD CONSTRAINT "meta_audience_members_audience_id_meta_audiences_id_fk" FOREIGN KEY ("audience_id") REFERENCES "public"."meta_audiences"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meta_audiences" ADD CONSTRAINT "meta_audiences_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meta_audiences" ADD CONSTRAINT "meta_audiences_number_id_whatsapp_numbers_id_fk" FOREIGN KEY ("number_id") REFERENCES "public"."whatsapp_numbers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "meta_audiences_tenant_audience_key" ON "meta_audiences" USING btree ("tenant_id","audience_id");--> statement-breakpoint
CREATE INDEX "meta_audiences_tenant_created_idx" ON "meta_audiences" USING btree ("tenant_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "subscribers_tenant_score_last_inbound_idx" ON "subscribers" USING btree ("tenant_id","last_inbound_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "subscribers"."lifecycle_score" >= 30;--> statement-breakpoint
CREATE INDEX "subscribers_score_until_idx" ON "subscribers" USING btree ("lifecycle_score_until") WHERE "subscribers"."lifecycle_score_until" is not null;--> statement-breakpoint
ALTER TABLE "conversions" ADD CONSTRAINT "conversions_source_check" CHECK ("conversions"."source" in ('api', 'console_test', 'automatic', 'lifecycle'));--> statement-breakpoint
-- The lifecycle score (issue 23), computed where the facts are written so that every writer (ingestion, the API,
-- the console, the demo) keeps it current without reading the row back. The same rules as
-- lib/subscribers/lifecycle-score.ts, which explains a score part by part; a test holds the two in step.
CREATE FUNCTION lifecycle_score_of(from_ad boolean, has_click_id boolean, inbound_count integer, last_inbound_at timestamptz,
  conversions integer, conversion_value numeric, opted_out boolean, blocked boolean, at timestamptz) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN opted_out OR blocked THEN 0 ELSE least(100,
      (CASE WHEN NOT from_ad THEN 0 WHEN has_click_id THEN 20 ELSE 10 END)
    + (CASE WHEN inbound_count > 0 THEN least(20, round(5 * ln(1 + inbound_count::float8) / ln(2::float8))::integer) ELSE 0 END)
    + (CASE WHEN last_inbound_at IS NOT NULL AND greatest(at - last_inbound_at, interval '0') < interval '24 hours' THEN 15 ELSE 0 END)
    + (CASE WHEN conversions > 0 THEN 15 + (CASE WHEN conversion_value > 0 THEN 10 ELSE 0 END) ELSE 0 END)
    + (CASE WHEN last_inbound_at IS NULL THEN 0
            WHEN greatest(at - last_inbound_at, interval '0') < interval '24 hours' THEN 20
            WHEN at - last_inbound_at < interval '168 hours' THEN 12
            WHEN at - last_inbound_at < interval '720 hours' THEN 6
            ELSE 0 END)) END
$$;
--> statement-breakpoint
-- when time alone changes the score next: the first of last message + 1 day / 7 days / 30 days still ahead
CREATE FUNCTION lifecycle_score_until_of(last_inbound_at timestamptz, opted_out boolean, blocked boolean, at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN opted_out OR blocked OR last_inbound_at IS NULL THEN NULL
              WHEN last_inbound_at + interval '24 hours' > at THEN last_inbound_at + interval '24 hours'
              WHEN last_inbound_at + interval '168 hours' > at THEN last_inbound_at + interval '168 hours'
              WHEN last_inbound_at + interval '720 hours' > at THEN last_inbound_at + interval '720 hours'
              ELSE NULL END
$$;
--> statement-breakpoint
CREATE FUNCTION subscribers_lifecycle_score() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.lifecycle_score := lifecycle_score_of(NEW.first_touch_source IS NOT NULL, NEW.has_click_id, NEW.inbound_count, NEW.last_inbound_at,
    NEW.conversions_count, NEW.conversions_value, NEW.status = 'opted_out', NEW.status = 'blocked', now());
  NEW.lifecycle_score_until := lifecycle_score_until_of(NEW.last_inbound_at, NEW.status = 'opted_out', NEW.status = 'blocked', now());
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER subscribers_lifecycle_score BEFORE INSERT OR UPDATE OF first_touch_source, has_click_id, inbound_count, last_inbound_at,
  conversions_count, conversions_value, status, lifecycle_score, lifecycle_score_until ON "subscribers"
  FOR EACH ROW EXECUTE FUNCTION subscribers_lifecycle_score();
--> statement-breakpoint
-- a stored conversion counts towards its subscriber's score (a rejected one never did: it is stored rejected)
CREATE FUNCTION conversions_count_for_subscriber() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE subscribers SET conversions_count = conversions_count + 1, conversions_value = conversions_value + coalesce(NEW.value, 0)
    WHERE id = NEW.subscriber_id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER conversions_count_for_subscriber AFTER INSERT ON "conversions"
  FOR EACH ROW WHEN (NEW.subscriber_id IS NOT NULL AND NEW.status <> 'rejected') EXECUTE FUNCTION conversions_count_for_subscriber();
--> statement-breakpoint
UPDATE "subscribers" s SET "conversions_count" = c.n, "conversions_value" = c.v
  FROM (SELECT subscriber_id, count(*)::integer AS n, coalesce(sum(value), 0) AS v FROM "conversions"
        WHERE subscriber_id IS NOT NULL AND status <> 'rejected' GROUP BY subscriber_id) c
  WHERE s.id = c.subscriber_id;
--> statement-breakpoint
UPDATE "subscribers" SET "lifecycle_score_until" = NULL;
