import type { Metadata } from "next";
import { SectionEmptyState } from "../_shell/coming-section";

export const metadata: Metadata = { title: "Work pools" };

export default function WorkPoolsPage() {
  return <SectionEmptyState title="Work pools" what="Pools of agents on your own machines that pick up runs, with their concurrency limits and heartbeats." next="Agents join a pool with `baton agent start --pool default`." />;
}
