-- Issue 25: webhook_events becomes range-partitioned by received_at, one partition per UTC day, so retention drops
-- whole days (lib/whatsapp/retention.ts) instead of deleting rows. A partitioned table's primary key and unique
-- indexes must hold the partition key: the key is (id, received_at), and the Green API dedupe key moves to its own
-- table (webhook_event_dedupe_keys). Existing rows are copied into the new table, partitions covering them.
CREATE TABLE "webhook_event_dedupe_keys" (
	"number_id" uuid NOT NULL,
	"dedupe_key" text NOT NULL,
	"event_id" uuid NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "webhook_event_dedupe_keys_pkey" PRIMARY KEY("number_id","dedupe_key")
);
--> statement-breakpoint
ALTER TABLE "webhook_event_dedupe_keys" ADD CONSTRAINT "webhook_event_dedupe_keys_number_id_whatsapp_numbers_id_fk" FOREIGN KEY ("number_id") REFERENCES "public"."whatsapp_numbers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "webhook_event_dedupe_keys_received_idx" ON "webhook_event_dedupe_keys" USING btree ("received_at");--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "webhook_event_retention_days" integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_webhook_event_retention_days_check" CHECK ("tenants"."webhook_event_retention_days" between 1 and 90);--> statement-breakpoint
ALTER TABLE "webhook_events" RENAME TO "webhook_events_unpartitioned";--> statement-breakpoint
ALTER TABLE "webhook_events_unpartitioned" DROP CONSTRAINT "webhook_events_pkey";--> statement-breakpoint
DROP INDEX "webhook_events_number_dedupe_key";--> statement-breakpoint
DROP INDEX "webhook_events_tenant_demo_idx";--> statement-breakpoint
DROP INDEX "webhook_events_tenant_received_idx";--> statement-breakpoint
DROP INDEX "webhook_events_status_received_idx";--> statement-breakpoint
DROP INDEX "webhook_events_number_received_idx";--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid,
	"number_id" uuid,
	"provider" text NOT NULL,
	"received_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"raw_body" text NOT NULL,
	"raw_body_exact_b64" text,
	"raw_body_kind" text DEFAULT 'exact' NOT NULL,
	"body_sha256" text,
	"body_bytes" integer,
	"headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"signature_result" text NOT NULL,
	"routed_phone_number_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"verified_phone_number_ids" text[],
	"refused_phone_number_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" text DEFAULT 'received' NOT NULL,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"processed_at" timestamp (3) with time zone,
	"dedupe_key" text,
	"demo" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_events_pkey" PRIMARY KEY("id","received_at"),
	CONSTRAINT "webhook_events_provider_check" CHECK ("webhook_events"."provider" in ('cloud', 'gupshup', 'green')),
	CONSTRAINT "webhook_events_signature_check" CHECK ("webhook_events"."signature_result" in ('valid', 'invalid', 'missing', 'not_required', 'unverified')),
	CONSTRAINT "webhook_events_status_check" CHECK ("webhook_events"."status" in ('received', 'processed', 'failed', 'unrouted', 'rejected')),
	CONSTRAINT "webhook_events_raw_body_kind_check" CHECK ("webhook_events"."raw_body_kind" in ('exact', 'tenant_copy', 'prefix'))
) PARTITION BY RANGE ("received_at");
--> statement-breakpoint
-- the safety net: a row no day partition covers lands here (webhook_events_add_partition moves such rows out)
CREATE TABLE "webhook_events_default" PARTITION OF "webhook_events" DEFAULT;--> statement-breakpoint
-- The partition for one UTC day, webhook_events_pYYYYMMDD, unless it exists. Built beside the table and attached
-- (ATTACH takes a lighter lock on webhook_events than CREATE ... PARTITION OF); rows of that day that fell into the
-- default partition move into it first. Returns whether it created one.
CREATE FUNCTION "webhook_events_add_partition"(day date) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  part text := 'webhook_events_p' || to_char(day, 'YYYYMMDD');
  lo timestamptz := day::timestamp AT TIME ZONE 'UTC';
  hi timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
BEGIN
  IF to_regclass(format('public.%I', part)) IS NOT NULL THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE public.%I (LIKE public.webhook_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
  EXECUTE format('ALTER TABLE public.%I ADD CONSTRAINT %I CHECK (received_at >= %L AND received_at < %L)', part, part || '_range_check', lo, hi);
  EXECUTE format('WITH moved AS (DELETE FROM public.webhook_events_default WHERE received_at >= %L AND received_at < %L RETURNING *) INSERT INTO public.%I SELECT * FROM moved', lo, hi, part);
  EXECUTE format('ALTER TABLE public.webhook_events ATTACH PARTITION public.%I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
  EXECUTE format('ALTER TABLE public.%I DROP CONSTRAINT %I', part, part || '_range_check');
  RETURN true;
END $$;
--> statement-breakpoint
-- a partition for every day that has rows, through a week ahead
SELECT "webhook_events_add_partition"(d::date) FROM generate_series(
  coalesce((SELECT min("received_at") AT TIME ZONE 'UTC' FROM "webhook_events_unpartitioned"), now() AT TIME ZONE 'UTC')::date,
  greatest((now() AT TIME ZONE 'UTC')::date + 7, coalesce((SELECT max("received_at") AT TIME ZONE 'UTC' FROM "webhook_events_unpartitioned")::date, (now() AT TIME ZONE 'UTC')::date)),
  interval '1 day'
) AS d
WHERE d::date >= (now() AT TIME ZONE 'UTC')::date
   OR EXISTS (SELECT 1 FROM "webhook_events_unpartitioned" u WHERE u."received_at" >= d AT TIME ZONE 'UTC' AND u."received_at" < (d + interval '1 day') AT TIME ZONE 'UTC');--> statement-breakpoint
INSERT INTO "webhook_events" SELECT "id", "tenant_id", "number_id", "provider", "received_at", "raw_body", "raw_body_exact_b64", "raw_body_kind", "body_sha256", "body_bytes", "headers", "signature_result", "routed_phone_number_ids", "verified_phone_number_ids", "refused_phone_number_ids", "status", "error", "attempts", "processed_at", "dedupe_key", "demo", "created_at" FROM "webhook_events_unpartitioned";--> statement-breakpoint
INSERT INTO "webhook_event_dedupe_keys" ("number_id", "dedupe_key", "event_id", "received_at")
  SELECT "number_id", "dedupe_key", "id", "received_at" FROM "webhook_events_unpartitioned" WHERE "dedupe_key" IS NOT NULL AND "number_id" IS NOT NULL
  ON CONFLICT DO NOTHING;--> statement-breakpoint
DROP TABLE "webhook_events_unpartitioned";--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_number_id_whatsapp_numbers_id_fk" FOREIGN KEY ("number_id") REFERENCES "public"."whatsapp_numbers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "webhook_events_tenant_demo_idx" ON "webhook_events" USING btree ("tenant_id") WHERE "webhook_events"."demo";--> statement-breakpoint
CREATE INDEX "webhook_events_tenant_received_idx" ON "webhook_events" USING btree ("tenant_id","received_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "webhook_events_status_received_idx" ON "webhook_events" USING btree ("status","received_at");--> statement-breakpoint
CREATE INDEX "webhook_events_number_received_idx" ON "webhook_events" USING btree ("number_id","received_at" DESC NULLS LAST);
