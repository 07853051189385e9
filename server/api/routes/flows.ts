import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../authenticate";

export function registerFlows(_app: OpenAPIHono<ApiEnv>) {}
