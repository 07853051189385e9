import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../authenticate";

export function registerTaskRuns(_app: OpenAPIHono<ApiEnv>) {}
