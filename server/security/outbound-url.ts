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
for (const [net, prefix] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8]] as const) blocked.addSubnet(net, prefix, "ipv6");

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

export function isPrivateAddress(address: string): boolean {
  const v4mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4mapped) return blocked.check(v4mapped[1], "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? "ipv4" : "ipv6");
}

async function resolve(host: string, what: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    throw new AppError("BAD_REQUEST", `${what}: the host "${host}" could not be found. Check the address for typos.`);
  }
}
