import type { Metadata } from "next";
import { publicUrl } from "@/server/env";
import { WorkPoolsView } from "./work-pools-view";

export const metadata: Metadata = { title: "Work pools" };

export default async function WorkPoolsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return <WorkPoolsView slug={slug} publicUrl={publicUrl()} />;
}
