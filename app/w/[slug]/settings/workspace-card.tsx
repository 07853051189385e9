"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/app/_trpc/provider";
import { Alert, Button, Card, TextField } from "@/app/_components/ui";
import type { RouterOutputs } from "./router-outputs";

type Workspace = RouterOutputs["workspaces"]["get"];

export function WorkspaceCard({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const workspace = useQuery(trpc.workspaces.get.queryOptions({ workspace: slug }));
  return (
    <Card title="Workspace">
      {workspace.isPending ? (
        <p className="text-slate-500">Loading…</p>
      ) : workspace.isError ? (
        <Alert>{workspace.error.message}</Alert>
      ) : (
        <WorkspaceForm workspace={workspace.data} />
      )}
    </Card>
  );
}

function WorkspaceForm({ workspace }: { workspace: Workspace }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [name, setName] = useState(workspace.name);
  const [address, setAddress] = useState(workspace.slug);
  const [saved, setSaved] = useState(false);
  const isOwner = workspace.role === "owner";

  const update = useMutation(
    trpc.workspaces.update.mutationOptions({
      onSuccess: async (updated) => {
        await queryClient.invalidateQueries({ queryKey: trpc.account.me.queryKey() });
        if (updated.slug !== workspace.slug) {
          // The old address no longer resolves, so don't refetch it: go to the new one.
          router.push(`/w/${updated.slug}/settings`);
          return;
        }
        setSaved(true);
        await queryClient.invalidateQueries({ queryKey: trpc.workspaces.get.queryKey({ workspace: workspace.slug }) });
        // The shell (workspace switcher) is rendered on the server and shows the name too.
        router.refresh();
      },
    }),
  );

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    update.mutate({
      workspace: workspace.slug,
      name: name !== workspace.name ? name : undefined,
      slug: address !== workspace.slug ? address : undefined,
    });
  }

  return (
    <form onSubmit={onSubmit} className="flex max-w-md flex-col gap-3">
      {!isOwner && <p className="text-slate-600">Only owners can change the workspace name and address.</p>}
      <TextField id="workspace-name" label="Workspace name" value={name} onChange={(e) => setName(e.target.value)} readOnly={!isOwner} required maxLength={80} />
      <TextField
        id="workspace-address"
        label="Workspace address"
        value={address}
        onChange={(e) => setAddress(e.target.value)}
        readOnly={!isOwner}
        required
        maxLength={48}
        hint={`Used in links: /w/${address || "…"}. Changing it breaks links to the old address.`}
        className="[&_input]:font-mono"
      />
      {update.isError && <Alert>{update.error.message}</Alert>}
      {saved && <Alert tone="success">Saved.</Alert>}
      {isOwner && (
        <div>
          <Button type="submit" disabled={update.isPending}>
            Save
          </Button>
        </div>
      )}
    </form>
  );
}
