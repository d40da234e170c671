// Role names without the database schema, for client components.
export type Role = "admin" | "manager" | "marketer";
