import type { Metadata } from "next";
import { SectionEmptyState } from "../_shell/coming-section";

export const metadata: Metadata = { title: "Automations" };

export default function AutomationsPage() {
  return <SectionEmptyState title="Automations" what="Alerts by email, Slack or webhook when runs complete, fail, crash or are late." next="Automations are set up here once runs exist." />;
}
