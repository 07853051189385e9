"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/provider";
import { RelativeTime } from "@/app/_components/relative-time";
import { Alert, Badge, Button, Card, Table, Td, Th } from "@/app/_components/ui";

export function PendingInvitations({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invitations = useQuery(trpc.invitations.list.queryOptions({ workspace: slug }));
  const revoke = useMutation(
    trpc.invitations.revoke.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.invitations.list.queryKey({ workspace: slug }) }),
    }),
  );

  function onRevoke(invitationId: string, email: string) {
    if (!window.confirm(`Revoke the invitation for ${email}? The link they were sent stops working.`)) return;
    revoke.mutate({ workspace: slug, invitationId });
  }

  return (
    <Card title="Pending invitations">
      {revoke.isError && (
        <div className="mb-3">
          <Alert>{revoke.error.message}</Alert>
        </div>
      )}
      {invitations.isPending ? (
        <p className="text-slate-500">Loading…</p>
      ) : invitations.isError ? (
        <Alert>{invitations.error.message}</Alert>
      ) : invitations.data.length === 0 ? (
        <p className="text-slate-600">No pending invitations. Invite someone above; their invitation shows here until they accept it.</p>
      ) : (
        <Table label="Pending invitations">
          <thead>
            <tr>
              <Th>Email</Th>
              <Th>Role</Th>
              <Th>Invited</Th>
              <Th>Expires</Th>
              <Th><span className="sr-only">Actions</span></Th>
            </tr>
          </thead>
          <tbody>
            {invitations.data.map((inv) => (
              <tr key={inv.id}>
                <Td>{inv.email}</Td>
                <Td>
                  <Badge>{inv.role}</Badge>
                </Td>
                <Td className="whitespace-nowrap text-slate-600">
                  <RelativeTime value={inv.createdAt} />
                </Td>
                <Td className="whitespace-nowrap text-slate-600">
                  <RelativeTime value={inv.expiresAt} />
                </Td>
                <Td className="text-right">
                  <Button variant="secondary" onClick={() => onRevoke(inv.id, inv.email)} disabled={revoke.isPending}>
                    Revoke
                  </Button>
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
