import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError, z } from "zod";
import { isConnectionError } from "../db/pg-errors";
import { AppError, HTTP_STATUS } from "../errors";
import { noteCannotHear } from "../orchestration/hearing";

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

/**
 * The details of a 422 for a zod error: fieldErrors by top-level field (what clients read), and
 * each issue with its full path ("logs.3.timestamp"), which flattening alone would lose.
 */
export function validationDetails(err: z.ZodError) {
  return { ...z.flattenError(err), issues: err.issues.map((i) => ({ path: i.path.join("."), message: i.message })) };
}

/** Maps anything a route throws to the JSON error shape and the right status. */
export function handleApiError(err: unknown, c: Context) {
  if (err instanceof AppError) {
    const retryAfter = err.details?.retryAfterSeconds;
    if (err.code === "TOO_MANY_REQUESTS" && typeof retryAfter === "number") c.header("Retry-After", String(retryAfter));
    return c.json(errorBody(err.code.toLowerCase(), err.message, err.details), HTTP_STATUS[err.code] as ContentfulStatusCode);
  }
  if (err instanceof ZodError) {
    return c.json(errorBody("validation_failed", "The request is not valid; see details for each field.", validationDetails(err)), 422);
  }
  if (isConnectionError(err)) {
    noteCannotHear();
    c.header("Retry-After", "5");
    return c.json(errorBody("unavailable", "The database is unreachable right now. Retry in a few seconds."), 503);
  }
  if (err instanceof HTTPException && err.status === 413) return c.json(errorBody("payload_too_large", "The request body is too large."), 413);
  if (err instanceof HTTPException && err.status === 400) {
    // Hono's validator throws this when the body is not JSON at all (zod never sees it).
    return c.json(errorBody("bad_request", "The request body is not valid JSON. Send a JSON object with Content-Type: application/json."), 400);
  }
  console.error("[api] unexpected error:", err);
  return c.json(errorBody("internal", "Something went wrong on our side. It has been logged; retry, and tell us if it persists."), 500);
}
