import { handleStripeWebhook } from "@/server/billing/stripe-webhook";
import { getDb } from "@/server/db/client";
import { AppError, HTTP_STATUS } from "@/server/errors";

/** Stripe's webhook: the raw body goes to the service untouched, since the signature covers its exact bytes. */
export async function POST(req: Request) {
  const raw = await req.text();
  try {
    return Response.json(await handleStripeWebhook(getDb(), raw, req.headers.get("stripe-signature")));
  } catch (err) {
    if (err instanceof AppError) return Response.json({ error: { code: err.code.toLowerCase(), message: err.message } }, { status: HTTP_STATUS[err.code] });
    throw err;
  }
}
