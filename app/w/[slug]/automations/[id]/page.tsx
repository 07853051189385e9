import type { Metadata } from "next";
import { AutomationDetail } from "./automation-detail";

export const metadata: Metadata = { title: "Automation" };

export default async function AutomationPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  return <AutomationDetail slug={slug} automationId={id} />;
}
