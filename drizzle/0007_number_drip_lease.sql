ALTER TABLE "whatsapp_numbers" ADD COLUMN "drip_lease_owner" uuid;--> statement-breakpoint
ALTER TABLE "whatsapp_numbers" ADD COLUMN "drip_lease_until" timestamp (3) with time zone;