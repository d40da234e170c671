import type { Role } from "./roles-types";

export const ROLE_RANK: Record<Role, number> = { marketer: 1, manager: 2, admin: 3 };

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Admin",
  manager: "Manager",
  marketer: "Marketer",
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  admin: "Everything, including users, API keys and settings",
  manager: "Connects numbers, works leads and templates",
  marketer: "Reads subscribers, attribution and reports",
};

/** True when `role` is at least `required` (admin ⊃ manager ⊃ marketer). */
export function hasRole(role: Role, required: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[required];
}
