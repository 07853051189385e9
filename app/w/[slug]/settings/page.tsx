import { PageHeader } from "@/app/_components/ui";
import { ChangePasswordCard } from "./change-password-card";
import { LeaveWorkspaceCard } from "./leave-workspace-card";
import { WorkspaceCard } from "./workspace-card";

export const metadata = { title: "General settings" };

export default async function GeneralSettingsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return (
    <>
      <PageHeader title="General" description="The workspace's name and address, your password, and leaving the workspace." />
      <WorkspaceCard slug={slug} />
      <ChangePasswordCard />
      <LeaveWorkspaceCard slug={slug} />
    </>
  );
}
