import type { ApiPrincipal } from "./authenticate-api-key";

/**
 * Verified API keys, kept for up to 30 s so a request does not pay a database round trip to
 * authenticate. Revocation stays immediate: changes to keys or members clear the workspace's
 * entries in this process at once (the cache lives on globalThis, shared by the Next and server
 * bundles of one process) and in other instances through NOTIFY baton_auth; the listener clears
 * everything when it reconnects, since notifications may have been missed.
 */
type Entry = { principal: ApiPrincipal; keyExpiresAt: number | null; cachedAt: number; lastUsedAt: number };

const MAX_AGE_MS = 30_000;
const MAX_ENTRIES = 10_000;
export const AUTH_CHANNEL = "baton_auth";

const g = globalThis as unknown as { __batonKeyCache?: Map<string, Entry> };
const cache = (g.__batonKeyCache ??= new Map());

export function cachedPrincipal(keyHash: string, now = Date.now()): Entry | null {
  const e = cache.get(keyHash);
  if (!e) return null;
  if (now - e.cachedAt > MAX_AGE_MS || (e.keyExpiresAt !== null && e.keyExpiresAt <= now)) {
    cache.delete(keyHash);
    return null;
  }
  return e;
}

export function cachePrincipal(keyHash: string, principal: ApiPrincipal, keyExpiresAt: Date | null, lastUsedAt: Date | null) {
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(keyHash, { principal, keyExpiresAt: keyExpiresAt?.getTime() ?? null, cachedAt: Date.now(), lastUsedAt: lastUsedAt?.getTime() ?? 0 });
}

export function forgetWorkspaceKeys(workspaceId: string) {
  for (const [hash, e] of cache) if (e.principal.workspace.id === workspaceId) cache.delete(hash);
}

export function forgetAllKeys() {
  cache.clear();
}
