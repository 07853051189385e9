import { createHash } from "node:crypto";
import { ApiError } from "../client/api-client";
import type { FlowScope } from "./runtime";

/** A stable JSON form (object keys sorted), so equal inputs give equal cache keys. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

/** The default cache key: a hash of the task's name and its inputs. */
export function defaultCacheKey(taskName: string, inputs: unknown[]): string {
  return `${taskName}-${createHash("sha256").update(stableJson([taskName, inputs])).digest("hex").slice(0, 32)}`;
}

const localCache = new Map<string, { value: unknown; expiresAt: number | null }>();

/** A cached result, or undefined. Run locally, the cache lives in this process. */
export async function lookupCache(flow: FlowScope, key: string): Promise<{ value: unknown } | undefined> {
  if (!flow.client) {
    const hit = localCache.get(key);
    return hit && (hit.expiresAt === null || hit.expiresAt > Date.now()) ? { value: hit.value } : undefined;
  }
  try {
    const entry = await flow.client.request<{ value: unknown }>("GET", `/cache/${encodeURIComponent(key)}`, { tries: 8 });
    return { value: entry.value };
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

export async function storeCache(flow: FlowScope, key: string, value: unknown, expiresInSeconds: number | undefined) {
  const expiresAt = expiresInSeconds ? Date.now() + expiresInSeconds * 1000 : null;
  if (!flow.client) {
    localCache.set(key, { value, expiresAt });
    return;
  }
  await flow.client.request("PUT", `/cache/${encodeURIComponent(key)}`, {
    body: { value: value === undefined ? null : value, expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString() },
    tries: 8,
  });
}
