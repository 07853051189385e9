import type { Metadata } from "next";
import { EditAutomation } from "./edit-automation";

export const metadata: Metadata = { title: "Edit automation" };

export default async function EditAutomationPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  return <EditAutomation slug={slug} automationId={id} />;
}
