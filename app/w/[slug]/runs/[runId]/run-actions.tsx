"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "@/app/_trpc/provider";
import { Alert, Button } from "@/app/_components/ui";
import { TERMINAL_STATES } from "@/agent/protocol/states";
import type { Run } from "../_components/router-outputs";

/** Cancel, Retry, Run again (and, for a git source, with the same commit): shown only to runners and above (the server checks too). */
export function RunActions({ slug, run }: { slug: string; run: Run }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries();
  const cancel = useMutation(trpc.runs.cancel.mutationOptions({ onSettled: refresh }));
  const retry = useMutation(trpc.runs.retry.mutationOptions({ onSettled: refresh }));
  const again = useMutation(
    trpc.runs.create.mutationOptions({
      onSuccess: ({ run: created }) => router.push(`/w/${slug}/runs/${created.id}`),
    }),
  );
  const terminal = TERMINAL_STATES.includes(run.state.type);
  const error = cancel.error ?? retry.error ?? again.error;

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex gap-2">
        <Button variant="danger" disabled={terminal || run.state.type === "CANCELLING" || cancel.isPending} onClick={() => cancel.mutate({ workspace: slug, runId: run.id })}>
          Cancel
        </Button>
        <Button variant="secondary" disabled={!terminal || retry.isPending} onClick={() => retry.mutate({ workspace: slug, runId: run.id })}>
          Retry
        </Button>
        {run.deploymentId && (
          <Button
            variant="secondary"
            disabled={again.isPending}
            onClick={() => again.mutate({ workspace: slug, deploymentId: run.deploymentId!, parameters: run.parameters, tags: run.tags.length ? run.tags : undefined })}
          >
            Run again
          </Button>
        )}
        {run.deploymentId && run.sourceCommit && (
          <Button
            variant="secondary"
            disabled={again.isPending}
            title={`Run commit ${run.sourceCommit.slice(0, 12)} again, whatever the deployment's branch points at now`}
            onClick={() => again.mutate({ workspace: slug, deploymentId: run.deploymentId!, parameters: run.parameters, tags: run.tags.length ? run.tags : undefined, sourceCommit: run.sourceCommit! })}
          >
            Run again with the same code
          </Button>
        )}
      </div>
      {error && <Alert>{error.message}</Alert>}
    </div>
  );
}
