import Stripe from "stripe";
import { env } from "../env";
import { AppError } from "../errors";

let cached: { key: string; url: string | undefined; client: Stripe } | undefined;

/** The Stripe SDK with our key; STRIPE_API_URL (tests) points it at another host, port and protocol. */
export function stripeClient(): Stripe {
  const e = env();
  if (!e.STRIPE_SECRET_KEY) throw new AppError("NOT_FOUND", "Billing is not enabled on this server.");
  if (cached && cached.key === e.STRIPE_SECRET_KEY && cached.url === e.STRIPE_API_URL) return cached.client;
  const url = e.STRIPE_API_URL ? new URL(e.STRIPE_API_URL) : null;
  const client = new Stripe(e.STRIPE_SECRET_KEY, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    ...(url
      ? {
          host: url.hostname,
          port: url.port || (url.protocol === "https:" ? 443 : 80),
          protocol: url.protocol === "https:" ? "https" : "http",
        }
      : {}),
  });
  cached = { key: e.STRIPE_SECRET_KEY, url: e.STRIPE_API_URL, client };
  return client;
}
