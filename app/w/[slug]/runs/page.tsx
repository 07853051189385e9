import type { Metadata } from "next";
import { Suspense } from "react";
import { PageHeader } from "@/app/_components/ui";
import { RunsList } from "./runs-list";

export const metadata: Metadata = { title: "Runs" };

export default async function RunsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return (
    <>
      <PageHeader title="Runs" description="Every flow run in this workspace, newest first." />
      <Suspense fallback={<p className="text-slate-500">Loading…</p>}>
        <RunsList slug={slug} />
      </Suspense>
    </>
  );
}
