import type { Metadata } from "next";
import { SectionEmptyState } from "../_shell/coming-section";

export const metadata: Metadata = { title: "Runs" };

export default function RunsPage() {
  return <SectionEmptyState title="Runs" what="Every flow run: its state, parameters, logs, task graph and timeline." next="Runs appear here when a deployment's schedule comes due or someone starts a run." />;
}
