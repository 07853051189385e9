import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../authenticate";

export function registerLogs(_app: OpenAPIHono<ApiEnv>) {}
