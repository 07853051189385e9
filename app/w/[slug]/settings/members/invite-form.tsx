"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/app/_trpc/provider";
import { Alert, Button, Card, SelectField, TextField } from "@/app/_components/ui";
import type { Role } from "@/server/db/schema";
import { RoleOptions } from "../role-options";

export function InviteForm({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("developer");
  const invite = useMutation(
    trpc.invitations.create.mutationOptions({
      onSuccess: () => {
        setEmail("");
        return queryClient.invalidateQueries({ queryKey: trpc.invitations.list.queryKey({ workspace: slug }) });
      },
    }),
  );

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    invite.mutate({ workspace: slug, email, role });
  }

  return (
    <Card title="Invite people">
      <form onSubmit={onSubmit} className="flex flex-col gap-3">
        <div className="flex flex-wrap items-end gap-3">
          <TextField id="invite-email" label="Email" type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} required className="w-72" />
          <SelectField id="invite-role" label="Role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <RoleOptions />
          </SelectField>
          <Button type="submit" disabled={invite.isPending}>
            Send invitation
          </Button>
        </div>
        <p className="text-xs text-slate-500">They get an email with a link that works for 7 days.</p>
        {invite.isError && <Alert>{invite.error.message}</Alert>}
        {invite.isSuccess && <Alert tone="success">Invitation sent to {invite.data.email}.</Alert>}
      </form>
    </Card>
  );
}
