"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_trpc/provider";
import { Alert } from "@/app/_components/ui";
import { roleAtLeast } from "@/server/auth/roles";
import { ApiKeysTable } from "./api-keys-table";
import { CreateApiKeyForm } from "./create-api-key-form";
import { NewKeyNotice } from "./new-key-notice";

export function ApiKeysSettings({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const workspace = useQuery(trpc.workspaces.get.queryOptions({ workspace: slug }));
  // Runners and viewers get FORBIDDEN with a message saying why; retrying won't change that.
  const keys = useQuery(trpc.apiKeys.list.queryOptions({ workspace: slug }, { retry: false }));
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);

  if (workspace.isPending || keys.isPending) return <p className="text-slate-500">Loading…</p>;
  if (workspace.isError) return <Alert>{workspace.error.message}</Alert>;
  if (keys.isError) return <Alert>{keys.error.message}</Alert>;

  return (
    <div className="flex flex-col gap-6">
      {created ? (
        <NewKeyNotice name={created.name} apiKey={created.key} onDone={() => setCreated(null)} />
      ) : (
        roleAtLeast(workspace.data.role, "developer") && <CreateApiKeyForm slug={slug} userRole={workspace.data.role} onCreated={setCreated} />
      )}
      <ApiKeysTable slug={slug} keys={keys.data} />
    </div>
  );
}
