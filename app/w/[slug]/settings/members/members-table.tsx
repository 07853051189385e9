"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "@/app/_trpc/provider";
import { RelativeTime } from "@/app/_components/relative-time";
import { Alert, Badge, Button, Table, Td, Th } from "@/app/_components/ui";
import type { Role } from "@/server/db/schema";
import { ROLES } from "../role-options";

export function MembersTable({ slug, isOwner }: { slug: string; isOwner: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const members = useQuery(trpc.members.list.queryOptions({ workspace: slug }));
  const me = useQuery(trpc.account.me.queryOptions());

  async function refresh(changedSelf: boolean) {
    await queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey({ workspace: slug }) });
    if (changedSelf) {
      // Our own role changed: the page's permissions and the server-rendered shell both follow it.
      await queryClient.invalidateQueries({ queryKey: trpc.workspaces.get.queryKey({ workspace: slug }) });
      router.refresh();
    }
  }

  const changeRole = useMutation(trpc.members.changeRole.mutationOptions({ onSettled: (_d, _e, vars) => refresh(vars.userId === me.data?.id) }));
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSettled: () => refresh(false) }));
  const error = changeRole.error ?? remove.error;

  function onRoleChange(userId: string, from: Role, to: Role) {
    if (userId === me.data?.id && from === "owner" && !window.confirm(`Make yourself a ${to}? You will no longer be able to manage this workspace.`)) return;
    remove.reset();
    changeRole.mutate({ workspace: slug, userId, role: to });
  }

  function onRemove(userId: string, email: string) {
    if (!window.confirm(`Remove ${email} from this workspace? API keys they created are revoked.`)) return;
    changeRole.reset();
    remove.mutate({ workspace: slug, userId });
  }

  if (members.isPending) return <p className="text-slate-500">Loading members…</p>;
  if (members.isError) return <Alert>{members.error.message}</Alert>;

  return (
    <div className="flex flex-col gap-3">
      {error && <Alert>{error.message}</Alert>}
      <Table label="Members">
        <thead>
          <tr>
            <Th>Member</Th>
            <Th>Role</Th>
            <Th>Joined</Th>
            {isOwner && <Th><span className="sr-only">Actions</span></Th>}
          </tr>
        </thead>
        <tbody>
          {members.data.map((m) => {
            const isMe = m.userId === me.data?.id;
            // While a change is in flight, show the role asked for rather than the old one.
            const role = changeRole.isPending && changeRole.variables.userId === m.userId ? changeRole.variables.role : m.role;
            return (
              <tr key={m.userId}>
                <Td>
                  <div className="font-medium text-slate-900">
                    {m.name ?? m.email}
                    {isMe && <span className="ml-1 font-normal text-slate-500">(you)</span>}
                  </div>
                  {m.name && <div className="text-slate-500">{m.email}</div>}
                </Td>
                <Td>
                  {isOwner ? (
                    <>
                      <label htmlFor={`role-${m.userId}`} className="sr-only">
                        Role for {m.email}
                      </label>
                      <select
                        id={`role-${m.userId}`}
                        value={role}
                        disabled={changeRole.isPending}
                        onChange={(e) => onRoleChange(m.userId, m.role, e.target.value as Role)}
                        className="rounded-md border border-slate-300 bg-white px-2 py-1"
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                    </>
                  ) : (
                    <Badge>{m.role}</Badge>
                  )}
                </Td>
                <Td className="whitespace-nowrap text-slate-600">
                  <RelativeTime value={m.joinedAt} />
                </Td>
                {isOwner && (
                  <Td className="text-right">
                    {!isMe && (
                      <Button variant="danger" onClick={() => onRemove(m.userId, m.email)} disabled={remove.isPending}>
                        Remove
                      </Button>
                    )}
                  </Td>
                )}
              </tr>
            );
          })}
        </tbody>
      </Table>
    </div>
  );
}
