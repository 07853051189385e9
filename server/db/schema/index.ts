export * from "./auth";
export * from "./workspaces";
export * from "./api-keys";
export * from "./audit";
export * from "./email";
