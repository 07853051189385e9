const BASE = "http://baton.invalid";

/**
 * The one check for every redirect target a visitor can choose (callbackUrl, redirectTo): a path on
 * this site, or the fallback. The value is resolved the way a browser would resolve a Location
 * header, so "/\evil.example", "/\t/evil.example" (browsers drop tabs and newlines) and
 * "//evil.example" all fail the same-origin test. Control characters are refused outright: in a
 * Location header they are an error (a CR or LF made Next answer 500), never a path.
 */
export function safeRedirectPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || !value.startsWith("/")) return fallback;
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
