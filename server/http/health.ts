import type { ServerResponse } from "node:http";
import type { Db } from "../db/client";

/** GET /api/health: 200 {"ok":true,"db":"up"}, or 503 when Postgres does not answer within 2 s. */
export async function respondHealth(db: Db, res: ServerResponse) {
  let up = false;
  try {
    await Promise.race([db.$client.query("select 1"), new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 2000))]);
    up = true;
  } catch {
    up = false;
  }
  const body = JSON.stringify(up ? { ok: true, db: "up" } : { ok: false, db: "down" });
  res.writeHead(up ? 200 : 503, {
    "content-type": "application/json",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...(up ? {} : { "retry-after": "5" }),
  });
  res.end(body);
}
