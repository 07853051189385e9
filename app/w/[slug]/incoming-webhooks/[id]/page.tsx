import type { Metadata } from "next";
import { EndpointDetail } from "./endpoint-detail";

export const metadata: Metadata = { title: "Incoming webhook" };

export default async function IncomingWebhookPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  return <EndpointDetail slug={slug} endpointId={id} />;
}
