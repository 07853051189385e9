import type { Metadata } from "next";
import { SectionEmptyState } from "../_shell/coming-section";

export const metadata: Metadata = { title: "Flows" };

export default function FlowsPage() {
  return <SectionEmptyState title="Flows" what="The flows written with the baton SDK or wrapped commands, with their runs and deployments." next="Flows are registered the first time you deploy or run one." />;
}
