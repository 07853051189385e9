import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";

/** Addresses a webhook must not reach from our servers: private, loopback, link-local and the like. */
const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) blocked.addSubnet(net, prefix, "ipv4");
// 64:ff9b:1::/48 is NAT64 for local use (RFC 8215): where it puts the IPv4 address depends on a
// prefix length the address does not carry, so the whole range is refused.
for (const [net, prefix] of [["::", 128], ["::1", 128], ["64:ff9b:1::", 48], ["100::", 64], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8]] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

const PRIVATE_HINT = "Use a public https URL (self-hosters can allow private addresses with BATON_ALLOW_PRIVATE_WEBHOOKS=1).";

/**
 * Checks a Slack or webhook URL before it is saved and again before each send (a name can start
 * resolving to a private address later). Throws an AppError that says what to change.
 */
export async function checkOutboundUrl(raw: string, what = "The URL"): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new AppError("BAD_REQUEST", `${what} is not a valid URL. Paste the full address, starting with https://.`);
  }
  const allowPrivate = env().BATON_ALLOW_PRIVATE_WEBHOOKS;
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:")) {
    throw new AppError("BAD_REQUEST", `${what} must start with https:// (it starts with ${url.protocol}//).`);
  }
  if (url.username || url.password) throw new AppError("BAD_REQUEST", `${what} must not contain a user name or password.`);
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : await resolve(host, what);
  const bad = addresses.find(isPrivateAddress);
  if (bad) throw new AppError("BAD_REQUEST", `${what} points at ${bad}, a private, loopback or link-local address. ${PRIVATE_HINT}`);
  return url;
}

/** True for an address we must not send to, including IPv6 forms that carry a private IPv4 one. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  const words = family === 6 ? ipv6Words(address) : null;
  if (!words) return true;
  const canonical = words.map((w) => w.toString(16)).join(":");
  if (blocked.check(canonical, "ipv6")) return true;
  const v4 = embeddedIpv4(words);
  return v4 !== null && blocked.check(v4, "ipv4");
}

/** The eight 16-bit words of an IPv6 address, or null for a form we do not parse (zone ids). */
function ipv6Words(address: string): number[] | null {
  let host: string;
  try {
    // The WHATWG serialisation: lower-case hex, a dotted IPv4 tail as two words, at most one "::".
    host = new URL(`http://[${address}]`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const [head, tail] = host.split("::");
  const part = (s: string | undefined) => (s ? s.split(":").map((w) => parseInt(w, 16)) : []);
  const left = part(head);
  const right = part(tail);
  const words = tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : null;
}

/**
 * The IPv4 address an IPv6 one stands for where the network would deliver it to that IPv4 host:
 * IPv4-compatible (::a.b.c.d), IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d),
 * NAT64 (64:ff9b::a.b.c.d), 6to4 (2002:AABB:CCDD::) and Teredo (2001:0::, client address inverted).
 */
function embeddedIpv4(w: number[]): string | null {
  const dotted = (hi: number, lo: number) => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join(".");
  const zero = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && (w[5] === 0 || w[5] === 0xffff)) return dotted(w[6], w[7]);
  if (zero(0, 4) && w[4] === 0xffff && w[5] === 0) return dotted(w[6], w[7]);
  if (w[0] === 0x64 && w[1] === 0xff9b && zero(2, 6)) return dotted(w[6], w[7]);
  if (w[0] === 0x2002) return dotted(w[1], w[2]);
  if (w[0] === 0x2001 && w[1] === 0) return dotted(w[6] ^ 0xffff, w[7] ^ 0xffff);
  return null;
}

async function resolve(host: string, what: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    throw new AppError("BAD_REQUEST", `${what}: the host "${host}" could not be found. Check the address for typos.`);
  }
}
