export * from "./api-keys";
export * from "./tenants";
export * from "./users";
export * from "./numbers";
