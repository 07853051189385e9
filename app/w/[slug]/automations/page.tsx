import type { Metadata } from "next";
import { AutomationsList } from "./automations-list";

export const metadata: Metadata = { title: "Automations" };

export default async function AutomationsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return <AutomationsList slug={slug} />;
}
