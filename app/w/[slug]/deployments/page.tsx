import type { Metadata } from "next";
import { SectionEmptyState } from "../_shell/coming-section";

export const metadata: Metadata = { title: "Deployments" };

export default function DeploymentsPage() {
  return <SectionEmptyState title="Deployments" what="Flows registered to run on a schedule or on demand, with their parameters and a Run form." next="Deployments are created with `baton deploy`." />;
}
