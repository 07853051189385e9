import type { Metadata } from "next";
import { FlowsList } from "./flows-list";

export const metadata: Metadata = { title: "Flows" };

export default async function FlowsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return <FlowsList slug={slug} />;
}
