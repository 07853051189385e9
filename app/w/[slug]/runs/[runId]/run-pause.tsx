"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/provider";
import { RelativeTime } from "@/app/_components/relative-time";
import { ParameterForm, type SubmitResult } from "../../deployments/[id]/parameter-form/parameter-form";

type TrpcErrorLike = { message: string; data?: { fieldErrors?: Record<string, string[]> | null } | null };
const NO_DEFAULTS = {};

/**
 * A paused run's question: the flow's message and a form made from its input schema (the same form
 * as a deployment's parameters). Runners and above answer it; everyone sees who answered and when.
 */
export function RunPause({ slug, runId, paused, canAnswer }: { slug: string; runId: string; paused: boolean; canAnswer: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const pause = useQuery(trpc.runs.pause.queryOptions({ workspace: slug, runId }));
  const resume = useMutation(trpc.runs.resume.mutationOptions({ onSettled: () => queryClient.invalidateQueries() }));
  const p = pause.data;
  if (!p) return null;

  async function answer(input: Record<string, unknown>): Promise<SubmitResult> {
    try {
      await resume.mutateAsync({ workspace: slug, runId, input });
      return { ok: true };
    } catch (err) {
      const e = err as TrpcErrorLike;
      return { ok: false, message: e.message, fieldErrors: e.data?.fieldErrors };
    }
  }

  if (p.status === "answered") {
    return (
      <section aria-label="Input given" className="mb-6 rounded-lg border border-teal-200 bg-teal-50 p-4 text-sm">
        <h2 className="font-semibold text-teal-900">Input given</h2>
        {p.message && <p className="mt-1 text-teal-900">{p.message}</p>}
        <p className="mt-1 text-slate-700">
          Answered by {p.submittedBy ?? "someone"} {p.submittedAt && <RelativeTime value={p.submittedAt} />}
        </p>
        <pre className="mt-2 overflow-x-auto rounded bg-white p-2 font-mono text-xs">{JSON.stringify(p.input, null, 2)}</pre>
      </section>
    );
  }
  if (!paused || p.status !== "waiting") return null;
  return (
    <section aria-label="Waiting for input" className="mb-6 rounded-lg border border-teal-300 bg-teal-50 p-4 text-sm">
      <h2 className="font-semibold text-teal-900">Waiting for input</h2>
      {p.message && <p className="mt-1 whitespace-pre-wrap text-teal-900">{p.message}</p>}
      <p className="mt-1 text-slate-600">
        The run fails if nobody answers by <RelativeTime value={p.timeoutAt} />.
      </p>
      <div className="mt-3 rounded-md border border-slate-200 bg-white p-3">
        {canAnswer ? (
          <ParameterForm schema={p.schema} defaults={NO_DEFAULTS} submitLabel="Submit and resume" busyLabel="Resuming…" formLabel="Input for the run" emptyText="The run asks for no fields: submit to approve." onSubmit={answer} />
        ) : (
          <p className="text-slate-600">A runner, developer or owner of this workspace can answer.</p>
        )}
      </div>
    </section>
  );
}
