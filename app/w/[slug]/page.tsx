import type { Metadata } from "next";
import { SectionEmptyState } from "./_shell/coming-section";

export const metadata: Metadata = { title: "Dashboard" };

export default function DashboardPage() {
  return (
    <SectionEmptyState
      title="Dashboard"
      what="Runs over time by state, failed, crashed and late runs, agents online and the next scheduled runs."
      next="Nothing has run in this workspace yet. Create an API key in Settings → API keys; deploying flows and starting agents with the baton CLI comes next."
    />
  );
}
