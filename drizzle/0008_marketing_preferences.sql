ALTER TABLE "subscribers" ADD COLUMN "marketing_preference" text;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "marketing_preference_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "subscribers" ADD CONSTRAINT "subscribers_marketing_preference_check" CHECK ("subscribers"."marketing_preference" in ('stop', 'resume'));