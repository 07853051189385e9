"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { RelativeTime } from "@/app/_components/relative-time";
import { Alert, Badge, EmptyState, PageHeader, Table, Td, Th } from "@/app/_components/ui";
import { useLiveRefresh } from "@/app/_live/use-live-refresh";
import { useTRPC } from "@/app/_trpc/provider";
import { roleAtLeast } from "@/server/auth/roles";
import { DESTINATION_LABELS, DeliveryStatusBadge, TriggerSummary, type AutomationView } from "./_components/describe-automation";

export function AutomationsList({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const workspace = useQuery(trpc.workspaces.get.queryOptions({ workspace: slug }));
  const list = useQuery(trpc.automations.list.queryOptions({ workspace: slug }));
  useLiveRefresh(slug, { kinds: ["automation"] });
  const canEdit = workspace.data ? roleAtLeast(workspace.data.role, "developer") : false;

  const header = (
    <PageHeader
      title="Automations"
      description="Email, Slack or a webhook when runs complete, fail, crash, run late or too long, when a deployment has no success, or when an agent goes offline."
      actions={
        canEdit && (
          <Link href={`/w/${slug}/automations/new`} className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">
            New automation
          </Link>
        )
      }
    />
  );
  if (list.isPending || workspace.isPending) return <>{header}<p className="text-slate-500">Loading…</p></>;
  if (list.isError) return <>{header}<Alert>{list.error.message}</Alert></>;
  if (workspace.isError) return <>{header}<Alert>{workspace.error.message}</Alert></>;

  if (list.data.length === 0) {
    return (
      <>
        {header}
        <EmptyState title="No automations yet">
          {canEdit ? (
            <>
              Press <strong>New automation</strong>, choose when it fires (for example, a run of any deployment enters Failed or Crashed) and where the alert goes: an email to members, a Slack incoming webhook or your own webhook. Then press <strong>Send test</strong> on its page to check the message arrives.
            </>
          ) : (
            <>A developer or owner of this workspace can set up alerts here; you will see them once they do.</>
          )}
        </EmptyState>
      </>
    );
  }

  return (
    <>
      {header}
      <Table label="Automations">
        <thead>
          <tr>
            <Th>Automation</Th>
            <Th>When</Th>
            <Th>Actions</Th>
            <Th>Enabled</Th>
            <Th>Last delivery</Th>
          </tr>
        </thead>
        <tbody>
          {list.data.map((a) => (
            <AutomationRow key={a.id} slug={slug} automation={a} canEdit={canEdit} />
          ))}
        </tbody>
      </Table>
    </>
  );
}

function AutomationRow({ slug, automation: a, canEdit }: { slug: string; automation: AutomationView; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const setEnabled = useMutation(
    trpc.automations.setEnabled.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.automations.list.queryKey({ workspace: slug }) }),
    }),
  );
  const disabled = a.destinations.filter((d) => d.disabledAt);
  return (
    <tr>
      <Td>
        <Link href={`/w/${slug}/automations/${a.id}`} className="font-medium text-sky-800 hover:underline">
          {a.name}
        </Link>
        {disabled.length > 0 && (
          <div className="mt-1">
            <Badge tone="amber">
              ⚠ {disabled.length === 1 ? "1 action disabled" : `${disabled.length} actions disabled`}
            </Badge>
          </div>
        )}
      </Td>
      <Td className="text-sm">
        <TriggerSummary automation={a} />
      </Td>
      <Td className="text-sm">
        <ul>
          {a.destinations.map((d) => (
            <li key={d.id} className={d.disabledAt ? "text-amber-800" : undefined}>
              <span className="font-medium">{DESTINATION_LABELS[d.kind]}</span> <span className="text-slate-600">{d.target}</span>
              {d.disabledAt && " (disabled)"}
            </li>
          ))}
        </ul>
      </Td>
      <Td>
        {canEdit ? (
          <label className="inline-flex items-center gap-2">
            <input
              type="checkbox"
              className="h-4 w-4"
              checked={setEnabled.isPending ? setEnabled.variables.enabled : a.enabled}
              disabled={setEnabled.isPending}
              onChange={(e) => setEnabled.mutate({ workspace: slug, automationId: a.id, enabled: e.target.checked })}
            />
            <span className="sr-only">Enabled: {a.name}</span>
            <span aria-hidden>{a.enabled ? "On" : "Off"}</span>
          </label>
        ) : a.enabled ? (
          <Badge tone="green">On</Badge>
        ) : (
          <Badge>Off</Badge>
        )}
        {setEnabled.isError && <p className="text-xs text-red-700">{setEnabled.error.message}</p>}
      </Td>
      <Td className="text-sm">
        {a.lastDelivery ? (
          <span className="inline-flex items-center gap-2">
            <DeliveryStatusBadge status={a.lastDelivery.status} />
            {a.lastDelivery.kind === "test" && <span className="text-xs text-slate-500">test</span>}
            <RelativeTime value={a.lastDelivery.createdAt} />
          </span>
        ) : (
          <span className="text-slate-500">none yet</span>
        )}
      </Td>
    </tr>
  );
}
