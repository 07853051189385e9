import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../authenticate";

export function registerWorkPools(_app: OpenAPIHono<ApiEnv>) {}
