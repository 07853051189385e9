/**
 * The client's address as the custom server recorded it (`x-real-ip`, overwritten on every
 * request, so a client cannot choose it). See server/http/handle-request.ts.
 */
export function clientIp(headers: Headers | Record<string, string | string[] | undefined> | undefined): string | null {
  if (!headers) return null;
  const value = headers instanceof Headers ? headers.get("x-real-ip") : headers["x-real-ip"];
  return (Array.isArray(value) ? value[0] : value) || null;
}
