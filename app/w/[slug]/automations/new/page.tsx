import type { Metadata } from "next";
import { PageHeader } from "@/app/_components/ui";
import { AutomationForm } from "../_components/automation-form";

export const metadata: Metadata = { title: "New automation" };

export default async function NewAutomationPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return (
    <>
      <PageHeader title="New automation" description="When it fires, what it filters on, and where the alert goes." />
      <AutomationForm slug={slug} />
    </>
  );
}
