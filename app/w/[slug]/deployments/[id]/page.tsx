import type { Metadata } from "next";
import { DeploymentDetail } from "./deployment-detail";

export const metadata: Metadata = { title: "Deployment" };

export default async function DeploymentPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  return <DeploymentDetail slug={slug} deploymentId={id} />;
}
