import type { Metadata } from "next";
import { SecretsView } from "./secrets-view";

export const metadata: Metadata = { title: "Secrets" };

export default async function SecretsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return <SecretsView slug={slug} />;
}
