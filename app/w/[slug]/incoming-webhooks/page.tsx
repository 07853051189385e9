import type { Metadata } from "next";
import { IncomingWebhooksList } from "./incoming-webhooks-list";

export const metadata: Metadata = { title: "Incoming webhooks" };

export default async function IncomingWebhooksPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return <IncomingWebhooksList slug={slug} />;
}
