import type { Metadata } from "next";
import { FlowDetail } from "./flow-detail";

export const metadata: Metadata = { title: "Flow" };

export default async function FlowPage({ params }: { params: Promise<{ slug: string; flowId: string }> }) {
  const { slug, flowId } = await params;
  return <FlowDetail slug={slug} flowId={flowId} />;
}
