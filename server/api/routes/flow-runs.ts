import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../authenticate";

export function registerFlowRuns(_app: OpenAPIHono<ApiEnv>) {}
