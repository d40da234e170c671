CREATE TABLE "chats" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"subscriber_id" uuid NOT NULL,
	"number_id" uuid NOT NULL,
	"latest_conversation_id" uuid,
	"last_message_at" timestamp (3) with time zone NOT NULL,
	"last_message_id" uuid,
	"last_message_direction" text,
	"last_message_type" text,
	"last_message_preview" text,
	"last_inbound_at" timestamp (3) with time zone,
	"window_expires_at" timestamp (3) with time zone,
	"unread_count" integer DEFAULT 0 NOT NULL,
	"last_read_at" timestamp (3) with time zone,
	"assigned_user_id" uuid,
	"assigned_at" timestamp (3) with time zone,
	"ad_conversation_id" uuid,
	"ad_id" text,
	"demo" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chats_last_message_direction_check" CHECK ("chats"."last_message_direction" in ('inbound', 'outbound')),
	CONSTRAINT "chats_unread_count_check" CHECK ("chats"."unread_count" >= 0)
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "sent_by_user_id" uuid;--> statement-breakpoint
ALTER TABLE "chats" ADD CONSTRAINT "chats_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chats" ADD CONSTRAINT "chats_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chats" ADD CONSTRAINT "chats_number_id_whatsapp_numbers_id_fk" FOREIGN KEY ("number_id") REFERENCES "public"."whatsapp_numbers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chats" ADD CONSTRAINT "chats_latest_conversation_id_conversations_id_fk" FOREIGN KEY ("latest_conversation_id") REFERENCES "public"."conversations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chats" ADD CONSTRAINT "chats_assigned_user_id_users_id_fk" FOREIGN KEY ("assigned_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chats" ADD CONSTRAINT "chats_ad_conversation_id_conversations_id_fk" FOREIGN KEY ("ad_conversation_id") REFERENCES "public"."conversations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "chats_tenant_demo_idx" ON "chats" USING btree ("tenant_id") WHERE "chats"."demo";--> statement-breakpoint
CREATE UNIQUE INDEX "chats_subscriber_number_key" ON "chats" USING btree ("subscriber_id","number_id","tenant_id");--> statement-breakpoint
CREATE INDEX "chats_latest_conversation_idx" ON "chats" USING btree ("latest_conversation_id");--> statement-breakpoint
CREATE INDEX "chats_ad_conversation_idx" ON "chats" USING btree ("ad_conversation_id") WHERE "chats"."ad_conversation_id" is not null;--> statement-breakpoint
CREATE INDEX "chats_tenant_last_message_idx" ON "chats" USING btree ("tenant_id","last_message_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "chats_tenant_number_last_message_idx" ON "chats" USING btree ("tenant_id","number_id","last_message_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "chats_tenant_assigned_last_message_idx" ON "chats" USING btree ("tenant_id","assigned_user_id","last_message_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "chats_tenant_unread_last_message_idx" ON "chats" USING btree ("tenant_id","last_message_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "chats"."unread_count" > 0;--> statement-breakpoint
CREATE INDEX "chats_tenant_ad_last_message_idx" ON "chats" USING btree ("tenant_id","ad_id","last_message_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "chats"."ad_id" is not null;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_sent_by_user_id_users_id_fk" FOREIGN KEY ("sent_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_tenant_idempotency_key" ON "messages" USING btree ("tenant_id","idempotency_key") WHERE "messages"."idempotency_key" is not null;--> statement-breakpoint
-- Backfill: one chat per (tenant, subscriber, number) with messages, as db/queries/chats.ts rebuilds them (the same
-- statement, CHATS_BACKFILL_SQL); history counts as read (unread 0), and a chat is demo only if all its messages are.
with m as materialized (
  select id, tenant_id, subscriber_id, number_id, conversation_id, direction, type, text_preview, provider_timestamp, demo
  from messages where number_id is not null),
g as (
  select tenant_id, subscriber_id, number_id, max(provider_timestamp) filter (where direction = 'inbound' and type <> 'system') as last_inbound_at, bool_and(demo) as demo
  from m group by tenant_id, subscriber_id, number_id),
lm as (
  select distinct on (tenant_id, subscriber_id, number_id) tenant_id, subscriber_id, number_id, id, provider_timestamp, direction, type, text_preview
  from m order by tenant_id, subscriber_id, number_id, provider_timestamp desc, id desc),
lc as (select distinct on (x.tenant_id, x.subscriber_id, x.number_id)
    x.tenant_id, x.subscriber_id, x.number_id, c.id, c.started_at, c.window_expires_at, c.ad_id
  from m x join conversations c on c.id = x.conversation_id
  where true
  order by x.tenant_id, x.subscriber_id, x.number_id, c.started_at desc, c.id desc),
ac as (select distinct on (x.tenant_id, x.subscriber_id, x.number_id)
    x.tenant_id, x.subscriber_id, x.number_id, c.id, c.started_at, c.window_expires_at, c.ad_id
  from m x join conversations c on c.id = x.conversation_id
  where (c.ctwa_clid is not null or c.source_type = 'ad')
  order by x.tenant_id, x.subscriber_id, x.number_id, c.started_at desc, c.id desc)
insert into chats (tenant_id, subscriber_id, number_id, latest_conversation_id, window_expires_at, last_message_at, last_message_id,
  last_message_direction, last_message_type, last_message_preview, last_inbound_at, ad_conversation_id, ad_id, demo)
select g.tenant_id, g.subscriber_id, g.number_id, lc.id, lc.window_expires_at, lm.provider_timestamp, lm.id,
  lm.direction, lm.type, left(lm.text_preview, 200), g.last_inbound_at, ac.id, ac.ad_id, g.demo
from g join lm using (tenant_id, subscriber_id, number_id)
  left join lc using (tenant_id, subscriber_id, number_id)
  left join ac using (tenant_id, subscriber_id, number_id)
on conflict (tenant_id, subscriber_id, number_id) do update set
  latest_conversation_id = excluded.latest_conversation_id, window_expires_at = excluded.window_expires_at,
  last_message_at = excluded.last_message_at, last_message_id = excluded.last_message_id, last_message_direction = excluded.last_message_direction,
  last_message_type = excluded.last_message_type, last_message_preview = excluded.last_message_preview, last_inbound_at = excluded.last_inbound_at,
  ad_conversation_id = excluded.ad_conversation_id, ad_id = excluded.ad_id, demo = excluded.demo, updated_at = now();
