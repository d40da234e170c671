ALTER TABLE "users" ADD COLUMN "session_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- sign-in throttle keys are now prefixed (email:, addr:): the old plain-email rows would never be read again
DELETE FROM "auth_throttle";
