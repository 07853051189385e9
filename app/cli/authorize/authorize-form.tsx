"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { normalizeUserCode } from "@/agent/protocol/device-auth";
import { useTRPC } from "@/app/_trpc/provider";
import { RelativeTime } from "@/app/_components/relative-time";
import { Alert, Button, Card, SelectField, TextField } from "@/app/_components/ui";
import type { ApiKeyRole, Role } from "@/server/db/schema";

type WorkspaceChoice = { slug: string; name: string; role: Role; keyRoles: ApiKeyRole[]; defaultKeyRole: ApiKeyRole };
type Decision = { decision: "approved" | "denied"; clientName: string; role: ApiKeyRole | null; workspace: { slug: string; name: string } };

const KEY_ROLE_USES: Record<ApiKeyRole, string> = {
  owner: "everything, members and billing included",
  developer: "deploy, manage work pools and keys, run anything (what `baton deploy` needs)",
  runner: "start and cancel runs, read everything",
  viewer: "read only",
  agent: "only run an agent (`baton agent start`): claim, heartbeat and report runs",
};

export function AuthorizeForm({ workspaces }: { workspaces: WorkspaceChoice[] }) {
  const trpc = useTRPC();
  // Always typed by the person, never taken from the link: that is what ties the approval to their terminal.
  const [code, setCode] = useState("");
  const [slug, setSlug] = useState(workspaces[0].slug);
  const [pickedRole, setPickedRole] = useState<ApiKeyRole | null>(null);
  const [decided, setDecided] = useState<Decision | null>(null);
  const compact = normalizeUserCode(code);
  // Looked up as soon as the code is complete, so the person sees which computer is asking.
  const lookup = useQuery(trpc.deviceAuth.lookup.queryOptions({ userCode: compact ?? "" }, { enabled: compact !== null, retry: false, staleTime: 60_000 }));
  const approve = useMutation(trpc.deviceAuth.approve.mutationOptions({ onSuccess: (r) => setDecided({ decision: "approved", ...r }) }));
  const deny = useMutation(trpc.deviceAuth.deny.mutationOptions({ onSuccess: (r) => setDecided({ decision: "denied", ...r }) }));
  const workspace = workspaces.find((w) => w.slug === slug) ?? workspaces[0];
  const keyRole = pickedRole && workspace.keyRoles.includes(pickedRole) ? pickedRole : workspace.defaultKeyRole;
  const busy = approve.isPending || deny.isPending;
  const error = approve.error ?? deny.error ?? (compact !== null && lookup.isError ? lookup.error : null);

  if (decided?.decision === "approved") {
    return (
      <Card>
        <div className="flex flex-col gap-3">
          <Alert tone="success">Approved. You can close this tab and return to your terminal.</Alert>
          <p className="text-slate-600">
            The CLI receives an API key named “{decided.clientName}” with the {decided.role} role in {decided.workspace.name}. You can revoke it any time in{" "}
            <Link href={`/w/${decided.workspace.slug}/settings/api-keys`} className="text-sky-700 underline">
              Settings → API keys
            </Link>
            .
          </p>
        </div>
      </Card>
    );
  }
  if (decided?.decision === "denied") {
    return (
      <Card>
        <Alert tone="info">Denied. The CLI gets no access. You can close this tab.</Alert>
      </Card>
    );
  }

  function onCodeChange(value: string) {
    setCode(value);
    approve.reset();
    deny.reset();
  }

  function onApprove(event: FormEvent) {
    event.preventDefault();
    deny.reset();
    approve.mutate({ workspace: workspace.slug, userCode: code, role: keyRole });
  }

  function onDeny() {
    approve.reset();
    deny.mutate({ workspace: workspace.slug, userCode: code });
  }

  return (
    <Card>
      <form onSubmit={onApprove} className="flex flex-col gap-4">
        {error && <Alert>{error.message}</Alert>}
        <TextField
          id="user-code"
          label="Code"
          value={code}
          onChange={(e) => onCodeChange(e.target.value)}
          required
          maxLength={32}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          placeholder="BCDF-GHJK"
          hint="The 8 letters shown in your terminal."
        />
        <SelectField id="workspace" label="Workspace" value={workspace.slug} onChange={(e) => setSlug(e.target.value)}>
          {workspaces.map((w) => (
            <option key={w.slug} value={w.slug}>
              {w.name} ({w.role})
            </option>
          ))}
        </SelectField>
        <SelectField id="key-role" label="Key role" value={keyRole} onChange={(e) => setPickedRole(e.target.value as ApiKeyRole)}>
          {workspace.keyRoles.map((r) => (
            <option key={r} value={r}>
              {r}: {KEY_ROLE_USES[r]}
            </option>
          ))}
        </SelectField>
        {lookup.data && compact !== null && (
          <div className="flex flex-col gap-1 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-slate-700" aria-label="Login request">
            <p>
              Started <RelativeTime value={lookup.data.requestedAt} /> from <span className="font-mono">{lookup.data.requestedIp ?? "an unknown address"}</span>
              {" with "}
              <span className="font-mono">{lookup.data.requestedUserAgent ?? "an unknown program"}</span>; the code expires <RelativeTime value={lookup.data.expiresAt} />.
            </p>
            <p>
              The computer calls itself <span className="font-medium text-slate-900">“{lookup.data.clientName}”</span> (its own words). If you did not just run{" "}
              <code className="font-mono text-xs">baton login</code> there, press Deny.
            </p>
          </div>
        )}
        <p className="text-slate-600">
          Approving creates an API key named {lookup.data ? `“${lookup.data.clientName}”` : "after the computer that asked"} with the {keyRole} role in {workspace.name}. The
          CLI on that computer can then {KEY_ROLE_USES[keyRole]}, until you revoke the key in Settings → API keys.
        </p>
        <div className="flex gap-2">
          <Button type="submit" disabled={busy || !lookup.data}>
            Approve
          </Button>
          <Button variant="danger" onClick={onDeny} disabled={busy}>
            Deny
          </Button>
        </div>
      </form>
    </Card>
  );
}
