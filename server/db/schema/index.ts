export * from "./auth";
export * from "./workspaces";
export * from "./api-keys";
export * from "./audit";
export * from "./email";
export * from "./work-pools";
export * from "./deployments";
export * from "./runs";
