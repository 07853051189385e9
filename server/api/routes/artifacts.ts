import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../authenticate";

export function registerArtifacts(_app: OpenAPIHono<ApiEnv>) {}
