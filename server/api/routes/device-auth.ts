import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { apiErrorSchema } from "../../../agent/protocol/errors";
import { deviceAuthorizationRequestSchema, deviceAuthorizationSchema, deviceTokenRequestSchema, deviceTokenSchema } from "../../../agent/protocol/device-auth";
import { pollDeviceToken } from "../../device-auth/poll-device-token";
import { startDeviceAuthorization } from "../../device-auth/start-device-authorization";
import { clientIp } from "../../security/client-ip";
import type { ApiEnv } from "../authenticate";
import { errorBody } from "../errors";
import { json, jsonBody } from "../openapi-helpers";

const commonErrors = {
  422: json("The request is not valid; details lists each field", apiErrorSchema),
  503: json("The database is unreachable; retry after Retry-After seconds", apiErrorSchema),
} as const;

/**
 * `baton login` (RFC 8628 in spirit). Both routes are public by design: the first hands out
 * codes, the second is authenticated by the device code itself.
 */
export function registerDeviceAuth(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/device",
      summary: "Start a CLI login: a device code to poll with and a user code for a person to approve",
      security: [],
      request: jsonBody(deviceAuthorizationRequestSchema),
      responses: {
        200: json("Codes, where to approve them, and how often to poll", deviceAuthorizationSchema),
        429: json("Too many login requests from this address; retry after Retry-After seconds", apiErrorSchema),
        ...commonErrors,
      },
    }),
    async (c) =>
      c.json(
        await startDeviceAuthorization(c.get("db"), { clientName: c.req.valid("json").clientName, ip: clientIp(c.req.raw.headers), userAgent: c.req.header("user-agent") ?? null }),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/device/token",
      summary: "Poll a CLI login: the API key once a person approved, else why not yet",
      security: [],
      request: jsonBody(deviceTokenRequestSchema),
      responses: {
        200: json("The new API key (returned exactly once)", deviceTokenSchema),
        400: json(
          "error.code is authorization_pending (poll again), slow_down (poll again, every details.interval seconds), expired_token or access_denied (stop)",
          apiErrorSchema,
        ),
        ...commonErrors,
      },
    }),
    async (c) => {
      const outcome = await pollDeviceToken(c.get("db"), { deviceCode: c.req.valid("json").deviceCode, ip: clientIp(c.req.raw.headers) });
      if (outcome.ok) return c.json(outcome.token, 200);
      return c.json(errorBody(outcome.error, outcome.message, outcome.details), 400);
    },
  );
}
