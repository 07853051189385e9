"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { useLiveRefresh } from "@/app/_live/use-live-refresh";
import { RelativeTime } from "@/app/_components/relative-time";
import { Alert, Badge, Button, Card, PageHeader, Table, Td, TextField, Th } from "@/app/_components/ui";
import { useTRPC } from "@/app/_trpc/provider";
import { roleAtLeast } from "@/server/auth/roles";
import { ConcurrencyLimitsSection } from "./concurrency-limits";

type Pool = { name: string; concurrencyLimit: number | null; paused: boolean; description: string | null };

function Command({ children }: { children: string }) {
  return <pre className="overflow-x-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-sm text-slate-100">{children}</pre>;
}

function EditPool({ slug, pool, onDone }: { slug: string; pool: Pool; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [limit, setLimit] = useState(pool.concurrencyLimit === null ? "" : String(pool.concurrencyLimit));
  const [paused, setPaused] = useState(pool.paused);
  const [error, setError] = useState<string | null>(null);
  const update = useMutation(
    trpc.workPools.update.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.workPools.list.queryKey({ workspace: slug }) });
        onDone();
      },
    }),
  );
  function submit(e: FormEvent) {
    e.preventDefault();
    const n = limit.trim() === "" ? null : Number(limit);
    if (n !== null && (!Number.isInteger(n) || n < 0)) return setError("A whole number, 0 or more; leave empty for no limit.");
    setError(null);
    update.mutate({ workspace: slug, pool: pool.name, concurrencyLimit: n, paused });
  }
  return (
    <form onSubmit={submit} noValidate aria-label={`Edit pool ${pool.name}`} className="flex flex-wrap items-end gap-4">
      <TextField label="Concurrency limit" id={`limit-${pool.name}`} inputMode="numeric" value={limit} onChange={(e) => setLimit(e.target.value)} error={error ?? undefined} hint="Most runs at once in this pool; empty for no limit." />
      <div className="flex items-center gap-2 pb-2">
        <input id={`paused-${pool.name}`} type="checkbox" checked={paused} onChange={(e) => setPaused(e.target.checked)} className="h-4 w-4" />
        <label htmlFor={`paused-${pool.name}`}>Paused (agents claim nothing)</label>
      </div>
      <div className="flex gap-2 pb-1">
        <Button type="submit" disabled={update.isPending}>Save pool</Button>
        <Button variant="secondary" onClick={onDone}>Cancel</Button>
      </div>
      {update.isError && <Alert>{update.error.message}</Alert>}
    </form>
  );
}

function CreatePool({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const create = useMutation(
    trpc.workPools.create.mutationOptions({
      onSuccess: async () => {
        setName("");
        await queryClient.invalidateQueries({ queryKey: trpc.workPools.list.queryKey({ workspace: slug }) });
      },
    }),
  );
  return (
    <form
      className="flex items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ workspace: slug, name: name.trim() });
      }}
    >
      <TextField label="New pool name" id="new-pool-name" value={name} onChange={(e) => setName(e.target.value)} error={create.isError ? create.error.message : undefined} />
      <Button type="submit" disabled={!name.trim() || create.isPending} className="mb-0.5">
        Create pool
      </Button>
    </form>
  );
}

export function WorkPoolsView({ slug, publicUrl }: { slug: string; publicUrl: string }) {
  const trpc = useTRPC();
  useLiveRefresh(slug, { kinds: ["flow_run"] });
  const workspace = useQuery(trpc.workspaces.get.queryOptions({ workspace: slug }));
  const pools = useQuery(trpc.workPools.list.queryOptions({ workspace: slug }));
  // Heartbeats send no live event: poll so online/offline stays true.
  const agents = useQuery(trpc.workPools.agents.queryOptions({ workspace: slug }, { refetchInterval: 10_000 }));
  const active = useQuery(trpc.runs.list.queryOptions({ workspace: slug, state: ["PENDING", "RUNNING", "PAUSED", "CANCELLING"], limit: 200 }));
  const [editing, setEditing] = useState<string | null>(null);

  const header = <PageHeader title="Work pools" description="Agents on your own machines join a pool and run its deployments' runs." />;
  if (pools.isPending || agents.isPending || workspace.isPending) return <>{header}<p className="text-slate-500">Loading…</p></>;
  if (pools.isError) return <>{header}<Alert>{pools.error.message}</Alert></>;
  if (agents.isError) return <>{header}<Alert>{agents.error.message}</Alert></>;
  if (workspace.isError) return <>{header}<Alert>{workspace.error.message}</Alert></>;
  const canEdit = roleAtLeast(workspace.data.role, "developer");
  const firstPool = pools.data.find((p) => p.name === "default")?.name ?? pools.data[0]?.name ?? "default";
  const held = (agentId: string) => (active.data?.runs ?? []).filter((r) => r.agentId === agentId);
  const editPool = pools.data.find((p) => p.name === editing);

  return (
    <>
      {header}
      <Card title="Pools">
        <div className="flex flex-col gap-4">
          <Table label="Work pools">
            <thead>
              <tr>
                <Th>Pool</Th>
                <Th>Concurrency limit</Th>
                <Th>Status</Th>
                <Th>Agents</Th>
                {canEdit && <Th><span className="sr-only">Actions</span></Th>}
              </tr>
            </thead>
            <tbody>
              {pools.data.map((p) => {
                const inPool = agents.data.filter((a) => a.workPool === p.name);
                return (
                  <tr key={p.id}>
                    <Td>
                      <span className="font-medium">{p.name}</span>
                      {p.description && <p className="text-xs text-slate-500">{p.description}</p>}
                    </Td>
                    <Td>{p.concurrencyLimit ?? "no limit"}</Td>
                    <Td>{p.paused ? <Badge tone="amber">Paused</Badge> : <Badge tone="green">Active</Badge>}</Td>
                    <Td>{inPool.length ? `${inPool.filter((a) => a.online).length} online of ${inPool.length}` : "none"}</Td>
                    {canEdit && (
                      <Td>
                        <Button variant="secondary" onClick={() => setEditing(p.name)} aria-label={`Edit pool ${p.name}`}>
                          Edit
                        </Button>
                      </Td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </Table>
          {canEdit && editPool && <EditPool key={editPool.name} slug={slug} pool={editPool} onDone={() => setEditing(null)} />}
          {canEdit && <CreatePool slug={slug} />}
        </div>
      </Card>
      <ConcurrencyLimitsSection slug={slug} canEdit={canEdit} />
      <Card title="Agents">
        {agents.data.length === 0 ? (
          <div className="flex flex-col gap-3">
            <p className="font-medium">No agent is connected to this workspace yet.</p>
            <p className="text-slate-600">On the machine that should run your flows (Node 20 or later), sign the CLI in to this Baton, then start an agent:</p>
            <Command>{`npx baton login --url ${publicUrl}`}</Command>
            <Command>{`npx baton agent start --pool ${firstPool}`}</Command>
            <p className="text-sm text-slate-500">
              The agent appears here within seconds and picks up the pool&apos;s runs. Use <code className="font-mono">--pool &lt;name&gt;</code> for another pool.
            </p>
          </div>
        ) : (
          <Table label="Agents">
            <thead>
              <tr>
                <Th>Agent</Th>
                <Th>Status</Th>
                <Th>Last heartbeat</Th>
                <Th>Pool</Th>
                <Th>Version</Th>
                <Th>Host</Th>
                <Th>Runs held</Th>
              </tr>
            </thead>
            <tbody>
              {agents.data.map((a) => {
                const runs = held(a.id);
                return (
                  <tr key={a.id}>
                    <Td className="font-medium">{a.name}</Td>
                    <Td>{a.online ? <Badge tone="green">Online</Badge> : <Badge>Offline</Badge>}</Td>
                    <Td>
                      <RelativeTime value={a.lastHeartbeatAt} />
                    </Td>
                    <Td>{a.workPool}</Td>
                    <Td>{a.version ?? "—"}</Td>
                    <Td>{a.hostname ?? "—"}</Td>
                    <Td>
                      {runs.length === 0 ? (
                        <span className="text-slate-500">none{a.slots ? ` (${a.slots} slots)` : ""}</span>
                      ) : (
                        <ul>
                          {runs.map((r) => (
                            <li key={r.id}>
                              <Link href={`/w/${slug}/runs/${r.id}`} className="text-sky-800 hover:underline">
                                {r.name}
                              </Link>{" "}
                              <span className="text-xs text-slate-500">{r.state.name}</span>
                            </li>
                          ))}
                        </ul>
                      )}
                    </Td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}
