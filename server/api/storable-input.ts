import type { Context, Next } from "hono";
import { findUnstorable } from "../../agent/protocol/storable";
import { errorBody } from "./errors";

function refuse(c: Context, field: string, problem: string) {
  return c.json(errorBody("validation_failed", `${field} ${problem}.`, { fieldErrors: { [field]: [problem] } }), 422);
}

/**
 * Every /api/v1 body is JSON, and nothing in a request may hold what Postgres cannot store (U+0000)
 * or nest deeper than our code recurses safely. Checked once here, for every route and field,
 * instead of as a database error (a 500) from whichever column it reached.
 */
export async function refuseUnstorableInput(c: Context, next: Next) {
  const url = new URL(c.req.url);
  if (/%00/i.test(url.pathname)) return refuse(c, "The path", "contains a NUL character (%00), which cannot be stored; remove it");
  for (const [name, value] of url.searchParams) {
    if (name.includes("\u0000") || value.includes("\u0000")) return refuse(c, name.replaceAll("\u0000", "\\u0000"), "contains a NUL character (\\u0000), which cannot be stored; remove it");
  }
  const hasBody = c.req.header("transfer-encoding") !== undefined || Number(c.req.header("content-length") ?? 0) > 0;
  if (!hasBody || c.req.method === "GET" || c.req.method === "HEAD") return next();
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    return c.json(
      errorBody("unsupported_media_type", `The body must be JSON, sent with Content-Type: application/json (this request said ${type ? `"${type}"` : "nothing"}).`),
      415,
    );
  }
  let body: unknown;
  try {
    // Hono caches the parsed body, so the route's validator does not parse it again.
    body = await c.req.json();
  } catch {
    return next(); // the route's validator answers a body that is not JSON
  }
  // Log lines are a process's output, NUL bytes included: writeLogs stores them as U+FFFD rather
  // than lose the batch (every other field of a line is a uuid, number, enum or time zod checks).
  const bad = findUnstorable(body, { allowNul: c.req.method === "POST" && url.pathname === "/api/v1/logs" });
  return bad ? refuse(c, bad.path || "The body", bad.problem) : next();
}
