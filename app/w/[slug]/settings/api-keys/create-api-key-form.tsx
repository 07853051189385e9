"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/app/_trpc/provider";
import { Alert, Button, Card, SelectField, TextField } from "@/app/_components/ui";
import { roleAtLeast } from "@/server/auth/roles";
import type { ApiKeyRole, Role } from "@/server/db/schema";
import { RoleOptions, ROLES } from "../role-options";

const EXPIRY_CHOICES = [
  { days: "", label: "Never" },
  { days: "7", label: "7 days" },
  { days: "30", label: "30 days" },
  { days: "90", label: "90 days" },
  { days: "365", label: "1 year" },
];

export function CreateApiKeyForm({ slug, userRole, onCreated }: { slug: string; userRole: Role; onCreated: (created: { name: string; key: string }) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [role, setRole] = useState<ApiKeyRole>("developer");
  const [expiresInDays, setExpiresInDays] = useState("");
  const [serviceAccount, setServiceAccount] = useState(false);
  const onSuccess = async ({ key, apiKey }: { key: string; apiKey: { name: string } }) => {
    onCreated({ name: apiKey.name, key });
    await queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey({ workspace: slug }) });
  };
  const createPersonal = useMutation(trpc.apiKeys.create.mutationOptions({ onSuccess }));
  const createService = useMutation(trpc.apiKeys.createServiceAccount.mutationOptions({ onSuccess }));
  const create = serviceAccount ? createService : createPersonal;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const expiresAt = expiresInDays ? new Date(Date.now() + Number(expiresInDays) * 86_400_000).toISOString() : undefined;
    create.mutate({ workspace: slug, name, role, expiresAt });
  }

  return (
    <Card title="Create an API key">
      <form onSubmit={onSubmit} className="flex flex-col gap-3">
        <div className="flex flex-wrap items-end gap-3">
          <TextField id="key-name" label="Name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} placeholder="e.g. CI deploys" className="w-64" />
          <SelectField id="key-role" label="Role" value={role} onChange={(e) => setRole(e.target.value as ApiKeyRole)}>
            <RoleOptions roles={ROLES.filter((r) => roleAtLeast(userRole, r))} />
            <option value="agent">agent — claim, heartbeat and report runs only</option>
          </SelectField>
          <SelectField id="key-expires" label="Expires" value={expiresInDays} onChange={(e) => setExpiresInDays(e.target.value)}>
            {EXPIRY_CHOICES.map((c) => (
              <option key={c.label} value={c.days}>
                {c.label}
              </option>
            ))}
          </SelectField>
          {userRole === "owner" && (
            <div className="flex items-center gap-2 pb-2">
              <input id="key-service-account" type="checkbox" checked={serviceAccount} onChange={(e) => setServiceAccount(e.target.checked)} className="h-4 w-4" />
              <label htmlFor="key-service-account">Service account</label>
            </div>
          )}
          <Button type="submit" disabled={create.isPending}>
            Create key
          </Button>
        </div>
        <p className="text-xs text-slate-500">
          A key acts for you, with at most your current role, and stops when you leave. Give agents the agent role: it can only claim, heartbeat and report runs.
          {userRole === "owner" && " A service account's key belongs to the workspace instead: it keeps its role and keeps working when you leave."}
        </p>
        {create.isError && <Alert>{create.error.message}</Alert>}
      </form>
    </Card>
  );
}
