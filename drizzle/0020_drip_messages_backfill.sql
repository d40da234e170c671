-- Drip sends recorded before every send became a message of its chat (issue 21): one outbound message per sent queue
-- row of a known subscriber on a number, with the provider's id (so its statuses land), then the chats rebuilt from
-- the messages (unread, read marks and assignments kept).
insert into messages (tenant_id, subscriber_id, number_id, direction, wamid, type, text_preview, payload, status, sent_at, delivered_at, read_at,
  provider_timestamp, demo, created_at, updated_at)
select o.tenant_id, o.subscriber_id, o.number_id, 'outbound', o.provider_message_id, 'text', o.rendered_text,
  jsonb_build_object('type', 'text', 'drip_outbound_id', o.id, 'drip_template_id', o.template_id, 'drip_template_name', o.template_name, 'backfilled', true),
  case when o.read_at is not null then 'read' when o.delivered_at is not null then 'delivered' else 'sent' end,
  o.sent_at, coalesce(o.delivered_at, o.read_at), o.read_at, o.sent_at, o.demo, now(), now()
from outbound_messages o
where o.status = 'sent' and o.sent_at is not null and o.subscriber_id is not null and o.number_id is not null and o.provider_message_id is not null
on conflict (tenant_id, wamid) do nothing;
--> statement-breakpoint
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
