"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "@/app/_trpc/provider";
import { Alert, Button, Card } from "@/app/_components/ui";

export function LeaveWorkspaceCard({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const leave = useMutation(
    trpc.members.leave.mutationOptions({
      onSuccess: async () => {
        queryClient.removeQueries({ queryKey: trpc.workspaces.get.queryKey({ workspace: slug }) });
        await queryClient.invalidateQueries({ queryKey: trpc.account.me.queryKey() });
        router.push("/");
      },
    }),
  );

  function onLeave() {
    if (!window.confirm("Leave this workspace? You lose access at once, and API keys you created are revoked.")) return;
    leave.mutate({ workspace: slug });
  }

  return (
    <Card title="Leave workspace">
      <p className="mb-3 text-slate-600">You lose access to this workspace, and the API keys you created here are revoked. An owner can invite you back.</p>
      {leave.isError && (
        <div className="mb-3">
          <Alert>{leave.error.message}</Alert>
        </div>
      )}
      <Button variant="danger" onClick={onLeave} disabled={leave.isPending}>
        Leave workspace
      </Button>
    </Card>
  );
}
