"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/provider";
import { Alert } from "@/app/_components/ui";
import { InviteForm } from "./invite-form";
import { MembersTable } from "./members-table";
import { PendingInvitations } from "./pending-invitations";

export function MembersSettings({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const workspace = useQuery(trpc.workspaces.get.queryOptions({ workspace: slug }));
  if (workspace.isPending) return <p className="text-slate-500">Loading…</p>;
  if (workspace.isError) return <Alert>{workspace.error.message}</Alert>;
  const isOwner = workspace.data.role === "owner";
  return (
    <div className="flex flex-col gap-6">
      {!isOwner && <p className="text-slate-600">Only owners can invite people, change roles or remove members.</p>}
      <MembersTable slug={slug} isOwner={isOwner} />
      {isOwner && (
        <>
          <InviteForm slug={slug} />
          <PendingInvitations slug={slug} />
        </>
      )}
    </div>
  );
}
