"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { RelativeTime } from "@/app/_components/relative-time";
import { Alert, Button, Card, EmptyState, PageHeader, Table, Td, TextField, Th } from "@/app/_components/ui";
import { useTRPC } from "@/app/_trpc/provider";
import { roleAtLeast } from "@/server/auth/roles";
import { UsedBy } from "../variables/used-by";

/** Create a secret or replace its value. The value goes up once and is never shown again. */
function SecretForm({ slug, name, onName }: { slug: string; name: string; onName: (n: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [value, setValue] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const set = useMutation(
    trpc.secrets.set.mutationOptions({
      onSuccess: async (s) => {
        setValue("");
        setSaved(s.name);
        onName("");
        await queryClient.invalidateQueries({ queryKey: trpc.secrets.list.queryKey({ workspace: slug }) });
      },
    }),
  );
  function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(null);
    set.mutate({ workspace: slug, name: name.trim(), value });
  }
  return (
    <form onSubmit={submit} aria-label="Save a secret" className="flex flex-col gap-3">
      <TextField label="Name" id="secret-name" value={name} onChange={(e) => onName(e.target.value)} hint="Lowercase letters, digits, - and _; used as {{ secrets.NAME }}." autoComplete="off" />
      <div className="flex flex-col gap-1">
        <label htmlFor="secret-value" className="font-medium text-slate-700">
          Value
        </label>
        <textarea
          id="secret-value"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          rows={3}
          autoComplete="off"
          spellCheck={false}
          aria-describedby="secret-value-hint"
          className="rounded-md border border-slate-300 bg-white px-2.5 py-1.5 font-mono text-sm outline-none focus:border-slate-500 focus:ring-2 focus:ring-slate-200"
        />
        <p id="secret-value-hint" className="text-xs text-slate-500">
          Sealed when saved; nobody sees it again, here or anywhere. Up to 64 KiB.
        </p>
      </div>
      <div>
        <Button type="submit" disabled={!name.trim() || !value || set.isPending}>
          Save secret
        </Button>
      </div>
      {set.isError && <Alert>{set.error.message}</Alert>}
      {saved && <Alert tone="success">Secret {saved} saved. Runs claimed from now on get this value.</Alert>}
    </form>
  );
}

export function SecretsView({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useQuery(trpc.workspaces.get.queryOptions({ workspace: slug }));
  const secrets = useQuery(trpc.secrets.list.queryOptions({ workspace: slug }));
  const [name, setName] = useState("");
  const remove = useMutation(
    trpc.secrets.remove.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.secrets.list.queryKey({ workspace: slug }) }) }),
  );
  const header = (
    <PageHeader title="Secrets" description="Credentials your runs need, sealed at rest and write-only. A deployment's env refers to one as {{ secrets.NAME }}." />
  );
  if (secrets.isPending || workspace.isPending) return <>{header}<p className="text-slate-500">Loading…</p></>;
  if (secrets.isError) return <>{header}<Alert>{secrets.error.message}</Alert></>;
  if (workspace.isError) return <>{header}<Alert>{workspace.error.message}</Alert></>;
  const canEdit = roleAtLeast(workspace.data.role, "developer");
  return (
    <>
      {header}
      {secrets.data.length === 0 ? (
        <EmptyState title="No secrets yet">
          {canEdit ? "Add one below, or pipe it to `baton secret set NAME`." : "A developer or owner can add one."} Runs get a secret in their environment when their
          deployment&apos;s env refers to it.
        </EmptyState>
      ) : (
        <Table label="Secrets">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Last set</Th>
              <Th>Created</Th>
              <Th>Used by</Th>
              {canEdit && <Th><span className="sr-only">Actions</span></Th>}
            </tr>
          </thead>
          <tbody>
            {secrets.data.map((s) => (
              <tr key={s.name} id={`secret-${s.name}`}>
                <Td className="font-mono text-sm font-medium">{s.name}</Td>
                <Td>
                  {s.updatedBy}, <RelativeTime value={s.updatedAt} />
                </Td>
                <Td>
                  {s.createdBy}, <RelativeTime value={s.createdAt} />
                </Td>
                <Td>
                  <UsedBy slug={slug} deployments={s.usedBy} />
                </Td>
                {canEdit && (
                  <Td>
                    <div className="flex gap-2">
                      <Button variant="secondary" onClick={() => setName(s.name)} aria-label={`Replace the value of ${s.name}`}>
                        Replace value
                      </Button>
                      <Button
                        variant="secondary"
                        disabled={remove.isPending}
                        aria-label={`Delete secret ${s.name}`}
                        onClick={() => {
                          const warn = s.usedBy.length ? ` ${s.usedBy.length} deployment(s) use it: their next runs will fail until it exists again.` : "";
                          if (window.confirm(`Delete secret ${s.name}?${warn}`)) remove.mutate({ workspace: slug, name: s.name });
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
          <Card title="Add or replace a secret">
            <SecretForm slug={slug} name={name} onName={setName} />
          </Card>
        </div>
      )}
    </>
  );
}
