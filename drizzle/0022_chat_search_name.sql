-- A search for a common name in the inbox walks the list's own index and tests the name on the chat itself (issue 21:
-- a lookup of the subscriber per walked chat made "Priya" cost 30-40 ms). chats.search_name is the subscriber's
-- profile name and username with a newline between, written when a chat is inserted without it and rewritten on
-- the subscriber's chats when either changes; existing chats are filled here.
ALTER TABLE "chats" ADD COLUMN "search_name" text;
--> statement-breakpoint
UPDATE "chats" c SET "search_name" = coalesce(s.profile_name, '') || E'\n' || coalesce(s.username, '')
  FROM "subscribers" s WHERE s.id = c.subscriber_id;
--> statement-breakpoint
CREATE FUNCTION chats_fill_search_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT coalesce(s.profile_name, '') || E'\n' || coalesce(s.username, '') INTO NEW.search_name
    FROM subscribers s WHERE s.id = NEW.subscriber_id;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER chats_fill_search_name BEFORE INSERT ON "chats"
  FOR EACH ROW WHEN (NEW.search_name IS NULL) EXECUTE FUNCTION chats_fill_search_name();
--> statement-breakpoint
CREATE FUNCTION subscribers_sync_chat_search_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE chats SET search_name = coalesce(NEW.profile_name, '') || E'\n' || coalesce(NEW.username, '')
    WHERE subscriber_id = NEW.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER subscribers_sync_chat_search_name AFTER UPDATE OF profile_name, username ON "subscribers"
  FOR EACH ROW WHEN (OLD.profile_name IS DISTINCT FROM NEW.profile_name OR OLD.username IS DISTINCT FROM NEW.username)
  EXECUTE FUNCTION subscribers_sync_chat_search_name();
