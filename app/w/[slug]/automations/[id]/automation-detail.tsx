"use client";

import { isActAction } from "@/agent/protocol/automations";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { RelativeTime } from "@/app/_components/relative-time";
import { Alert, Badge, Button, Card, PageHeader } from "@/app/_components/ui";
import { useLiveRefresh } from "@/app/_live/use-live-refresh";
import { useTRPC } from "@/app/_trpc/provider";
import { roleAtLeast } from "@/server/auth/roles";
import { DESTINATION_LABELS, describeTestResult, TriggerSummary, type AutomationView, type DestinationView } from "../_components/describe-automation";
import { forgetSecrets, peekSecrets, type NewSecret } from "../_components/secret-handoff";
import { WebhookSecretNotice } from "../_components/webhook-secret-notice";
import { DeliveriesTable } from "./deliveries-table";

export function AutomationDetail({ slug, automationId }: { slug: string; automationId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const workspace = useQuery(trpc.workspaces.get.queryOptions({ workspace: slug }));
  const automation = useQuery(trpc.automations.get.queryOptions({ workspace: slug, automationId }));
  // Changes and delivery attempts (this automation's table included) refresh the page live.
  useLiveRefresh(slug, { kinds: ["automation"] });
  const flows = useQuery(trpc.deployments.flows.queryOptions({ workspace: slug }));
  const deployments = useQuery(trpc.deployments.list.queryOptions({ workspace: slug }));
  // Read on mount and then forgotten: a reload (or coming back later) does not show the secret again.
  const [secrets, setSecrets] = useState<NewSecret[]>(() => peekSecrets(automationId));
  useEffect(() => forgetSecrets(automationId), [automationId]);
  const refresh = () => Promise.all([
    queryClient.invalidateQueries({ queryKey: trpc.automations.get.queryKey({ workspace: slug, automationId }) }),
    queryClient.invalidateQueries({ queryKey: trpc.automations.list.queryKey({ workspace: slug }) }),
  ]);
  const setEnabled = useMutation(trpc.automations.setEnabled.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(
    trpc.automations.delete.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.automations.list.queryKey({ workspace: slug }) });
        router.push(`/w/${slug}/automations`);
      },
    }),
  );

  if (automation.isPending || workspace.isPending) return <><PageHeader title="Automation" /><p className="text-slate-500">Loading…</p></>;
  if (automation.isError) return <><PageHeader title="Automation" /><Alert>{automation.error.message}</Alert></>;
  if (workspace.isError) return <><PageHeader title="Automation" /><Alert>{workspace.error.message}</Alert></>;
  const a = automation.data;
  const canEdit = roleAtLeast(workspace.data.role, "developer");
  const flowName = (id: string) => flows.data?.find((f) => f.id === id)?.name ?? "a deleted flow";
  const deploymentName = (id: string) => {
    const d = deployments.data?.find((x) => x.id === id);
    return d ? `${d.flowName}/${d.name}` : "a deleted deployment";
  };

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={`/w/${slug}/automations`} className="text-sky-800 hover:underline">
          ← Automations
        </Link>
      </p>
      <PageHeader
        title={a.name}
        description={<TriggerSummary automation={a} />}
        actions={
          canEdit && (
            <div className="flex flex-wrap gap-2">
              <Link href={`/w/${slug}/automations/${a.id}/edit`} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100">
                Edit
              </Link>
              <Button variant="secondary" disabled={setEnabled.isPending} onClick={() => setEnabled.mutate({ workspace: slug, automationId: a.id, enabled: !a.enabled })}>
                {a.enabled ? "Disable" : "Enable"}
              </Button>
              <Button
                variant="danger"
                disabled={remove.isPending}
                onClick={() => {
                  if (window.confirm(`Delete the automation “${a.name}” and its delivery history? Alerts stop at once.`)) remove.mutate({ workspace: slug, automationId: a.id });
                }}
              >
                Delete
              </Button>
            </div>
          )
        }
      />
      {(setEnabled.isError || remove.isError) && <div className="mb-4"><Alert>{(setEnabled.error ?? remove.error)?.message}</Alert></div>}
      {a.managedByDeploymentId && (
        <p role="note" className="mb-4 rounded-md border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900">
          Made by <code>triggers:</code> in the baton.yaml of{" "}
          <Link href={`/w/${slug}/deployments/${a.managedByDeploymentId}`} className="font-medium underline">
            its deployment
          </Link>
          . The next <code>baton deploy</code> of that file replaces changes made here; change the file instead.
        </p>
      )}
      {secrets.map((s) => (
        <WebhookSecretNotice key={s.destinationId} secret={s} onDone={() => setSecrets((all) => all.filter((x) => x !== s))} />
      ))}

      <Card title="Summary">
        <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
          <dt className="text-slate-500">Status</dt>
          <dd>{a.enabled ? <Badge tone="green">Enabled</Badge> : <Badge>Disabled: nothing is sent</Badge>}</dd>
          {a.triggerKind !== "agent_offline" && (
            <>
              <dt className="text-slate-500">Deployments</dt>
              <dd>{a.deploymentIds.length ? a.deploymentIds.map(deploymentName).join(", ") : "any"}</dd>
              <dt className="text-slate-500">Flows</dt>
              <dd>{a.flowIds.length ? a.flowIds.map(flowName).join(", ") : "any"}</dd>
              <dt className="text-slate-500">Tags</dt>
              <dd>{a.tags.length ? a.tags.join(", ") : "any"}</dd>
            </>
          )}
          <dt className="text-slate-500">Message</dt>
          <dd>{a.template ? <pre className="whitespace-pre-wrap font-mono text-xs">{a.template}</pre> : "The default message"}</dd>
        </dl>
      </Card>

      <Card title="Actions">
        <ul className="flex flex-col gap-3">
          {a.destinations.map((d) => (
            <DestinationItem key={d.id} slug={slug} automation={a} destination={d} canEdit={canEdit} onSecret={(s) => setSecrets((all) => [...all.filter((x) => x.destinationId !== s.destinationId), s])} onChanged={refresh} />
          ))}
        </ul>
      </Card>

      <Card title="Deliveries">
        <DeliveriesTable slug={slug} automationId={a.id} />
      </Card>
    </>
  );
}

const ADDRESS_LABELS = { member: "member", waiting: "waiting for confirmation", confirmed: "confirmed", unsubscribed: "unsubscribed" } as const;
const ADDRESS_TONES = { member: "slate", waiting: "amber", confirmed: "green", unsubscribed: "red" } as const;

function DestinationItem({ slug, automation, destination: d, canEdit, onSecret, onChanged }: { slug: string; automation: AutomationView; destination: DestinationView; canEdit: boolean; onSecret: (s: NewSecret) => void; onChanged: () => Promise<unknown> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sendTest = useMutation(
    trpc.automations.sendTest.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.automations.deliveries.infiniteQueryKey({ workspace: slug, automationId: automation.id }) }),
    }),
  );
  const enable = useMutation(trpc.automations.enableDestination.mutationOptions({ onSuccess: onChanged }));
  const rotate = useMutation(trpc.automations.rotateWebhookSecret.mutationOptions({ onSuccess: onSecret }));
  const label = `${DESTINATION_LABELS[d.kind]} ${d.target}`;
  const result = sendTest.data ? describeTestResult(sendTest.data) : null;

  return (
    <li className={`rounded-md border p-3 ${d.disabledAt ? "border-amber-300 bg-amber-50" : "border-slate-200"}`} aria-label={label}>
      <div className="flex flex-wrap items-center gap-3">
        <span className="font-medium">{DESTINATION_LABELS[d.kind]}</span>
        <span className="text-slate-600">{d.target}</span>
        {d.addressStatuses && d.addressStatuses.length > 0 && (
          <ul className="flex flex-wrap gap-2 text-xs text-slate-600" aria-label="Addresses">
            {d.addressStatuses.map(({ address, status }) => (
              <li key={address}>
                {address} <Badge tone={ADDRESS_TONES[status]}>{ADDRESS_LABELS[status]}</Badge>
              </li>
            ))}
          </ul>
        )}
        {canEdit && (
          <div className="ml-auto flex flex-wrap gap-2">
            {/* An action that acts has no test: it would really start, pause or cancel something. */}
            {!isActAction(d.kind) && (
              <Button variant="secondary" disabled={sendTest.isPending} onClick={() => sendTest.mutate({ workspace: slug, destinationId: d.id })} aria-label={`Send test to ${label}`}>
                {sendTest.isPending ? "Sending…" : "Send test"}
              </Button>
            )}
            {d.kind === "webhook" && (
              <Button
                variant="secondary"
                disabled={rotate.isPending}
                onClick={() => {
                  if (window.confirm("Make a new signing secret? The current one stops verifying at once; update the receiver with the new one.")) rotate.mutate({ workspace: slug, destinationId: d.id });
                }}
              >
                Rotate signing secret
              </Button>
            )}
          </div>
        )}
      </div>
      {d.disabledAt && (
        <div role="alert" className="mt-2 flex flex-wrap items-center gap-3 text-sm text-amber-900">
          <span>
            ⚠ Disabled <RelativeTime value={d.disabledAt} />: {d.disabledReason ?? "the receiver answered “gone” repeatedly"}. Nothing is sent here until it is re-enabled.
          </span>
          {canEdit && (
            <Button variant="secondary" disabled={enable.isPending} onClick={() => enable.mutate({ workspace: slug, destinationId: d.id })}>
              Re-enable
            </Button>
          )}
        </div>
      )}
      {result && (
        <p role="status" className={`mt-2 text-sm ${result.ok ? "text-green-800" : "text-red-700"}`}>
          {result.text}
        </p>
      )}
      {(sendTest.isError || enable.isError || rotate.isError) && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {(sendTest.error ?? enable.error ?? rotate.error)?.message}
        </p>
      )}
    </li>
  );
}
