"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/provider";
import { RelativeTime } from "@/app/_components/relative-time";
import { Alert, Badge, Button, EmptyState, Table, Td, Th } from "@/app/_components/ui";
import type { RouterOutputs } from "../router-outputs";

type ApiKey = RouterOutputs["apiKeys"]["list"][number];

export function ApiKeysTable({ slug, keys }: { slug: string; keys: ApiKey[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey({ workspace: slug }) }),
    }),
  );

  function onRevoke(key: ApiKey) {
    if (!window.confirm(`Revoke the key “${key.name}”? Anything using it stops working at once.`)) return;
    revoke.mutate({ workspace: slug, keyId: key.id });
  }

  if (keys.length === 0) {
    return <EmptyState title="No API keys yet">Create a key to sign in the baton CLI, run an agent or call the REST API.</EmptyState>;
  }

  return (
    <div className="flex flex-col gap-3">
      {revoke.isError && <Alert>{revoke.error.message}</Alert>}
      <Table label="API keys">
        <thead>
          <tr>
            <Th>Name</Th>
            <Th>Key</Th>
            <Th>Role</Th>
            <Th>Created by</Th>
            <Th>Created</Th>
            <Th>Last used</Th>
            <Th>Expires</Th>
            <Th><span className="sr-only">Actions</span></Th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id}>
              <Td className="font-medium text-slate-900">
                {key.name}
                {key.kind === "service_account" && (
                  <span className="ml-2">
                    <Badge tone="sky">service account</Badge>
                  </span>
                )}
              </Td>
              <Td className="font-mono text-xs whitespace-nowrap">{key.prefix}…</Td>
              <Td>
                <Badge tone={key.role === "agent" ? "violet" : "slate"}>{key.role}</Badge>
              </Td>
              <Td className="text-slate-600">{key.createdBy ?? <span className="text-slate-400">—</span>}</Td>
              <Td className="whitespace-nowrap text-slate-600">
                <RelativeTime value={key.createdAt} />
              </Td>
              <Td className="whitespace-nowrap text-slate-600">
                <RelativeTime value={key.lastUsedAt} />
              </Td>
              <Td className="whitespace-nowrap text-slate-600">
                {key.expired ? <Badge tone="red">expired</Badge> : <RelativeTime value={key.expiresAt} />}
              </Td>
              <Td className="text-right">
                <Button variant="danger" onClick={() => onRevoke(key)} disabled={revoke.isPending}>
                  Revoke
                </Button>
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
