CREATE INDEX "conversations_tenant_started_report_idx" ON "conversations" USING btree ("tenant_id","started_at","source_type","ad_id","subscriber_id","id");--> statement-breakpoint
CREATE INDEX "subscribers_username_trgm_idx" ON "subscribers" USING gin ("username" gin_trgm_ops);--> statement-breakpoint
INSERT INTO "ads" ("tenant_id", "ad_id", "number_id", "ad_name", "adset_id", "adset_name", "campaign_id", "campaign_name", "creative_id", "creative_name", "status", "error", "enriched_at", "first_seen_at")
SELECT DISTINCT ON (c."tenant_id", c."ad_id") c."tenant_id", c."ad_id", c."number_id", c."ad_name", c."adset_id", c."adset_name", c."campaign_id", c."campaign_name", c."creative_id", c."creative_name",
  CASE WHEN c."enriched_at" IS NOT NULL THEN 'enriched' ELSE 'failed' END,
  CASE WHEN c."enriched_at" IS NOT NULL THEN NULL ELSE 'Seen before ad details were fetched automatically: retry to fetch them' END,
  c."enriched_at", c."started_at"
FROM "conversations" c WHERE c."ad_id" IS NOT NULL
ORDER BY c."tenant_id", c."ad_id", c."enriched_at" DESC NULLS LAST, c."started_at"
ON CONFLICT ("tenant_id", "ad_id") DO NOTHING;
