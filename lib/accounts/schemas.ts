// Shared by client forms (inline errors) and the server (authoritative): one schema per form.
import { z } from "zod";
import { ROLES } from "@/db/schema";

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address"));

export const passwordSchema = z.string().min(10, "Use at least 10 characters").max(200, "Use at most 200 characters");

export const personNameSchema = z.string().trim().min(1, "Enter a name").max(120, "Use at most 120 characters");

export const roleSchema = z.enum(ROLES, "Choose a role");

export const signInSchema = z.object({
  email: z.string().trim().toLowerCase().min(1, "Enter your email"),
  password: z.string().min(1, "Enter your password").max(200),
});

export const setupSchema = z
  .object({
    organisation: z.string().trim().min(2, "Enter your organisation's name").max(120),
    name: personNameSchema,
    email: emailSchema,
    password: passwordSchema,
    confirmPassword: z.string(),
    loadDemo: z.boolean().default(false),
  })
  .refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"], message: "Passwords do not match" });
export type SetupInput = z.infer<typeof setupSchema>;

export const createUserSchema = z.object({
  name: personNameSchema,
  email: emailSchema,
  role: roleSchema,
  password: passwordSchema,
});
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const inviteUserSchema = z.object({ email: emailSchema, role: roleSchema });
export type InviteUserInput = z.infer<typeof inviteUserSchema>;

export const acceptInviteSchema = z
  .object({ name: personNameSchema, password: passwordSchema, confirmPassword: z.string() })
  .refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"], message: "Passwords do not match" });

export const updateUserSchema = z
  .object({ name: personNameSchema.optional(), role: roleSchema.optional(), password: passwordSchema.optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, "Send at least one of name, role, password");
export type UpdateUserInput = z.infer<typeof updateUserSchema>;

export const apiKeyNameSchema = z.object({ name: z.string().trim().min(1, "Name the key").max(80) });
export const organisationSchema = z.object({ name: z.string().trim().min(2, "Enter a name").max(120) });
const INACTIVE_DAYS_ERROR = "Enter a whole number of days from 1 to 3650";
/** How many days a workspace's processed raw webhooks are kept (tenants.webhook_event_retention_days; lib/whatsapp/retention.ts). */
export const WEBHOOK_EVENT_RETENTION_DAYS = { min: 1, max: 90, default: 30 } as const;
const RETENTION_DAYS_ERROR = `Enter a whole number of days from ${WEBHOOK_EVENT_RETENTION_DAYS.min} to ${WEBHOOK_EVENT_RETENTION_DAYS.max}`;
/**
 * Settings → Organisation: the name, after how many silent days a subscriber counts as inactive, and how long the
 * webhook log keeps processed events (unchanged when not sent).
 */
export const organisationSettingsSchema = organisationSchema.extend({
  inactiveAfterDays: z.number({ error: INACTIVE_DAYS_ERROR }).int(INACTIVE_DAYS_ERROR).min(1, INACTIVE_DAYS_ERROR).max(3650, INACTIVE_DAYS_ERROR),
  webhookEventRetentionDays: z
    .number({ error: RETENTION_DAYS_ERROR })
    .int(RETENTION_DAYS_ERROR)
    .min(WEBHOOK_EVENT_RETENTION_DAYS.min, RETENTION_DAYS_ERROR)
    .max(WEBHOOK_EVENT_RETENTION_DAYS.max, RETENTION_DAYS_ERROR)
    .optional(),
});
export type OrganisationSettings = z.output<typeof organisationSettingsSchema>;
export const switchWorkspaceSchema = z.object({ tenantId: z.uuid("Choose a workspace") });
/** An invitee who already has an account proves it with its password (any length: it was set before). */
export const joinInviteSchema = z.object({ password: z.string().min(1, "Enter your password").max(200) });

/** Account page: your own name. */
export const accountNameSchema = z.object({ name: personNameSchema });
export type AccountNameInput = z.infer<typeof accountNameSchema>;

/** Account page: your own password. The current one is checked like a sign-in (throttled); the new one follows the usual rules. */
export const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, "Enter your current password").max(200),
    newPassword: passwordSchema,
    confirmPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { path: ["confirmPassword"], message: "Passwords do not match" })
  .refine((v) => v.newPassword !== v.currentPassword, { path: ["newPassword"], message: "Choose a password different from the current one" });
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;
