import type { Metadata } from "next";
import { VariablesView } from "./variables-view";

export const metadata: Metadata = { title: "Variables" };

export default async function VariablesPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return <VariablesView slug={slug} />;
}
