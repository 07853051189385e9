import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { isPrivateAddress } from "./outbound-url";

export type OutboundResponse = { status: number; text: string; retryAfter: string | null };

/**
 * POSTs to a Slack or webhook URL that `checkOutboundUrl` accepted. The address is checked again
 * on the connection itself: the name is resolved once, by the connect, and refused if any answer
 * is private, so a name that resolves to a public address for the check and to a private one for
 * the send (DNS rebinding) cannot slip through. Redirects are not followed. The first 500
 * characters of the answer are kept.
 */
export function postOutbound(url: URL, body: string, headers: Record<string, string>, timeoutMs: number): Promise<OutboundResponse> {
  const checked = !env().BATON_ALLOW_PRIVATE_WEBHOOKS;
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": Buffer.byteLength(body) },
        lookup: checked ? publicOnlyLookup(url.hostname) : undefined,
        agent: false,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (text.length < 500) text += chunk;
        });
        res.on("end", () => {
          clearTimeout(timer);
          const retryAfter = res.headers["retry-after"];
          resolve({ status: res.statusCode ?? 0, text: text.slice(0, 500), retryAfter: typeof retryAfter === "string" ? retryAfter : null });
        });
        res.on("error", fail);
      },
    );
    const timer = setTimeout(() => req.destroy(Object.assign(new Error("Timed out"), { name: "TimeoutError" })), timeoutMs);
    function fail(err: Error) {
      clearTimeout(timer);
      reject(err);
    }
    req.on("error", fail);
    req.end(body);
  });
}

/** dns.lookup, refusing private, loopback and link-local answers (with every answer checked when it asks for all). */
function publicOnlyLookup(host: string): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, verbatim: true }, (err, address, family) => {
      if (err) return callback(err, address, family);
      const answers = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const bad = answers.find(isPrivateAddress);
      if (bad) {
        const refused = new AppError("BAD_REQUEST", `The host "${host}" now resolves to ${bad}, a private, loopback or link-local address: not sent.`);
        return callback(refused as NodeJS.ErrnoException, address, family);
      }
      callback(null, address, family);
    });
  };
}
