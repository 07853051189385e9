"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Alert, Badge, Button, Card, Table, Td, TextField, Th } from "@/app/_components/ui";
import { useTRPC } from "@/app/_trpc/provider";

function SetLimitForm({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [tag, setTag] = useState("");
  const [limit, setLimit] = useState("1");
  const [error, setError] = useState<string | null>(null);
  const set = useMutation(
    trpc.concurrencyLimits.set.mutationOptions({
      onSuccess: async () => {
        setTag("");
        await queryClient.invalidateQueries({ queryKey: trpc.concurrencyLimits.list.queryKey({ workspace: slug }) });
      },
    }),
  );
  function submit(e: FormEvent) {
    e.preventDefault();
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 0) return setError("A whole number, 0 or more (0 holds every run with the tag).");
    setError(null);
    set.mutate({ workspace: slug, tag: tag.trim(), limit: n });
  }
  return (
    <form onSubmit={submit} noValidate aria-label="Set a concurrency limit" className="flex flex-wrap items-end gap-4">
      <TextField label="Tag" id="limit-tag" value={tag} onChange={(e) => setTag(e.target.value)} hint="Runs carrying it, in any pool." />
      <TextField label="Most at once" id="limit-value" inputMode="numeric" value={limit} onChange={(e) => setLimit(e.target.value)} error={error ?? undefined} />
      <Button type="submit" disabled={!tag.trim() || set.isPending} className="mb-0.5">
        Set limit
      </Button>
      {set.isError && <Alert>{set.error.message}</Alert>}
    </form>
  );
}

/** The workspace's limits by tag, the slots taken and the runs taking them; a form for developers and owners. */
export function ConcurrencyLimitsSection({ slug, canEdit }: { slug: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const limits = useQuery(trpc.concurrencyLimits.list.queryOptions({ workspace: slug }));
  const remove = useMutation(
    trpc.concurrencyLimits.remove.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.concurrencyLimits.list.queryKey({ workspace: slug }) }),
    }),
  );
  return (
    <Card title="Concurrency limits by tag">
      <div className="flex flex-col gap-4">
        <p className="text-sm text-slate-600">
          At most this many runs carrying the tag hold a slot at once, across every pool. A run takes its slots while Pending, Running or Cancelling and gives them back
          when it ends, however it ends, so a crashed agent cannot keep one. The others wait, Scheduled, and say why on their page.
        </p>
        {limits.isPending ? (
          <p className="text-slate-500">Loading…</p>
        ) : limits.isError ? (
          <Alert>{limits.error.message}</Alert>
        ) : limits.data.length === 0 ? (
          <p className="text-slate-500">No limits by tag. {canEdit ? "Set one below" : "A developer can set one"}, or list them under `concurrency:` in baton.yaml.</p>
        ) : (
          <Table label="Concurrency limits by tag">
            <thead>
              <tr>
                <Th>Tag</Th>
                <Th>Taken / limit</Th>
                <Th>Held by</Th>
                {canEdit && <Th><span className="sr-only">Actions</span></Th>}
              </tr>
            </thead>
            <tbody>
              {limits.data.map((l) => (
                <tr key={l.tag}>
                  <Td className="font-medium">{l.tag}</Td>
                  <Td>
                    {l.taken} / {l.limit} {l.taken >= l.limit && <Badge tone="amber">Full</Badge>}
                  </Td>
                  <Td>
                    {l.holders.length === 0 ? (
                      <span className="text-slate-500">none</span>
                    ) : (
                      <ul>
                        {l.holders.map((h) => (
                          <li key={h.id}>
                            <Link href={`/w/${slug}/runs/${h.id}`} className="text-sky-800 hover:underline">
                              {h.name}
                            </Link>{" "}
                            <span className="text-xs text-slate-500">
                              {h.state.name}
                              {h.workPool ? ` in ${h.workPool}` : ""}
                            </span>
                          </li>
                        ))}
                      </ul>
                    )}
                  </Td>
                  {canEdit && (
                    <Td>
                      <Button variant="secondary" disabled={remove.isPending} onClick={() => remove.mutate({ workspace: slug, tag: l.tag })} aria-label={`Remove limit ${l.tag}`}>
                        Remove
                      </Button>
                    </Td>
                  )}
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {remove.isError && <Alert>{remove.error.message}</Alert>}
        {canEdit && <SetLimitForm slug={slug} />}
      </div>
    </Card>
  );
}
