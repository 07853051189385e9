import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../authenticate";

export function registerDeployments(_app: OpenAPIHono<ApiEnv>) {}
