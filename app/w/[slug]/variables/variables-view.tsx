"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { RelativeTime } from "@/app/_components/relative-time";
import { Alert, Button, Card, EmptyState, PageHeader, Table, Td, TextField, Th } from "@/app/_components/ui";
import { useTRPC } from "@/app/_trpc/provider";
import { roleAtLeast } from "@/server/auth/roles";
import { UsedBy } from "./used-by";

type Draft = { name: string; text: string; json: boolean };
const EMPTY: Draft = { name: "", text: "", json: false };

/** Create or change a variable: its value as text, or parsed as JSON. */
function VariableForm({ slug, draft, onDraft }: { slug: string; draft: Draft; onDraft: (d: Draft) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const set = useMutation(
    trpc.variables.set.mutationOptions({
      onSuccess: async () => {
        onDraft(EMPTY);
        await queryClient.invalidateQueries({ queryKey: trpc.variables.list.queryKey({ workspace: slug }) });
      },
    }),
  );
  function submit(e: FormEvent) {
    e.preventDefault();
    let value: unknown = draft.text;
    if (draft.json) {
      try {
        value = JSON.parse(draft.text);
      } catch (err) {
        return setError(`Not JSON: ${(err as Error).message}. Untick "JSON" to save it as text.`);
      }
    }
    setError(null);
    set.mutate({ workspace: slug, name: draft.name.trim(), value });
  }
  return (
    <form onSubmit={submit} aria-label="Save a variable" className="flex flex-col gap-3">
      <TextField label="Name" id="variable-name" value={draft.name} onChange={(e) => onDraft({ ...draft, name: e.target.value })} hint="Lowercase letters, digits, - and _; used as {{ variables.NAME }}." />
      <div className="flex flex-col gap-1">
        <label htmlFor="variable-value" className="font-medium text-slate-700">
          Value
        </label>
        <textarea
          id="variable-value"
          value={draft.text}
          onChange={(e) => onDraft({ ...draft, text: e.target.value })}
          rows={3}
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby="variable-value-hint"
          className="rounded-md border border-slate-300 bg-white px-2.5 py-1.5 font-mono text-sm outline-none focus:border-slate-500 focus:ring-2 focus:ring-slate-200"
        />
        <p id="variable-value-hint" className={`text-xs ${error ? "text-red-700" : "text-slate-500"}`}>
          {error ?? "In a run's env, text is used as it is and any JSON value that is not a string as its JSON. Up to 64 KiB."}
        </p>
      </div>
      <label className="flex items-center gap-2 text-slate-700">
        <input type="checkbox" checked={draft.json} onChange={(e) => onDraft({ ...draft, json: e.target.checked })} />
        JSON (a number, true/false, a list or an object)
      </label>
      <div>
        <Button type="submit" disabled={!draft.name.trim() || set.isPending}>
          Save variable
        </Button>
      </div>
      {set.isError && <Alert>{set.error.message}</Alert>}
    </form>
  );
}

export function VariablesView({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useQuery(trpc.workspaces.get.queryOptions({ workspace: slug }));
  const variables = useQuery(trpc.variables.list.queryOptions({ workspace: slug }));
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const remove = useMutation(
    trpc.variables.remove.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.variables.list.queryKey({ workspace: slug }) }) }),
  );
  const header = <PageHeader title="Variables" description="Settings your runs read: a bucket, a threshold, a list of regions. Every member sees them." />;
  if (variables.isPending || workspace.isPending) return <>{header}<p className="text-slate-500">Loading…</p></>;
  if (variables.isError) return <>{header}<Alert>{variables.error.message}</Alert></>;
  if (workspace.isError) return <>{header}<Alert>{workspace.error.message}</Alert></>;
  const canEdit = roleAtLeast(workspace.data.role, "developer");
  return (
    <>
      {header}
      {variables.data.length === 0 ? (
        <EmptyState title="No variables yet">
          {canEdit ? "Add one below, or with `baton variable set NAME VALUE`." : "A developer or owner can add one."} A deployment&apos;s env refers to one as {"{{ variables.NAME }}"}.
        </EmptyState>
      ) : (
        <Table label="Variables">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Value</Th>
              <Th>Last set</Th>
              <Th>Used by</Th>
              {canEdit && <Th><span className="sr-only">Actions</span></Th>}
            </tr>
          </thead>
          <tbody>
            {variables.data.map((v) => (
              <tr key={v.name} id={`variable-${v.name}`}>
                <Td className="font-mono text-sm font-medium">{v.name}</Td>
                <Td>
                  <code className="break-all rounded bg-slate-100 px-1 font-mono text-xs">{JSON.stringify(v.value)}</code>
                </Td>
                <Td>
                  {v.updatedBy}, <RelativeTime value={v.updatedAt} />
                </Td>
                <Td>
                  <UsedBy slug={slug} deployments={v.usedBy} />
                </Td>
                {canEdit && (
                  <Td>
                    <div className="flex gap-2">
                      <Button
                        variant="secondary"
                        aria-label={`Edit variable ${v.name}`}
                        onClick={() => setDraft(typeof v.value === "string" ? { name: v.name, text: v.value, json: false } : { name: v.name, text: JSON.stringify(v.value, null, 2), json: true })}
                      >
                        Edit
                      </Button>
                      <Button
                        variant="secondary"
                        disabled={remove.isPending}
                        aria-label={`Delete variable ${v.name}`}
                        onClick={() => {
                          const warn = v.usedBy.length ? ` ${v.usedBy.length} deployment(s) use it: their next runs will fail until it exists again.` : "";
                          if (window.confirm(`Delete variable ${v.name}?${warn}`)) remove.mutate({ workspace: slug, name: v.name });
                        }}
                      >
                        Delete
                      </Button>
                    </div>
                  </Td>
                )}
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {remove.isError && <Alert>{remove.error.message}</Alert>}
      {canEdit && (
        <div className="mt-6">
          <Card title="Add or change a variable">
            <VariableForm slug={slug} draft={draft} onDraft={setDraft} />
          </Card>
        </div>
      )}
    </>
  );
}
