import type { Metadata } from "next";
import { Suspense } from "react";
import { RunDetail } from "./run-detail";

export const metadata: Metadata = { title: "Run" };

export default async function RunPage({ params }: { params: Promise<{ slug: string; runId: string }> }) {
  const { slug, runId } = await params;
  return (
    <Suspense fallback={<p className="text-slate-500">Loading…</p>}>
      <RunDetail slug={slug} runId={runId} />
    </Suspense>
  );
}
