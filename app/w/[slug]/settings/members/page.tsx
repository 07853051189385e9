import { PageHeader } from "@/app/_components/ui";
import { MembersSettings } from "./members-settings";

export const metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return (
    <>
      <PageHeader title="Members" description="Who has access to this workspace, and with which role." />
      <MembersSettings slug={slug} />
    </>
  );
}
