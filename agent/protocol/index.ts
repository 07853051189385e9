export * from "./errors";
export * from "./me";
