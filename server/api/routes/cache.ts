import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../authenticate";

export function registerCache(_app: OpenAPIHono<ApiEnv>) {}
