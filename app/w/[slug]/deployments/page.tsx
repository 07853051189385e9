import type { Metadata } from "next";
import { DeploymentsList } from "./deployments-list";

export const metadata: Metadata = { title: "Deployments" };

export default async function DeploymentsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return <DeploymentsList slug={slug} />;
}
