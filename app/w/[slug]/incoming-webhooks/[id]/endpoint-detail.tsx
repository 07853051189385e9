"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert, Badge, Button, Card, PageHeader, TextField } from "@/app/_components/ui";
import { useTRPC } from "@/app/_trpc/provider";
import { roleAtLeast } from "@/server/auth/roles";
import type { IncomingWebhookView } from "@/agent/protocol/incoming-webhooks";
import { parseTemplate, SecretOnce, TemplateField } from "../template-field";
import { RequestLog } from "./request-log";

function Settings({ slug, hook, onSecret }: { slug: string; hook: IncomingWebhookView; onSecret: (s: string | null) => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [templateText, setTemplateText] = useState(JSON.stringify(hook.parameterTemplate, null, 2));
  const [rate, setRate] = useState(String(hook.rateLimitPerMinute));
  const parsed = parseTemplate(templateText);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.incomingWebhooks.get.queryKey({ workspace: slug, id: hook.id }) });
  const onSaved = async (r: { secret: string | null }) => {
    onSecret(r.secret);
    await refresh();
  };
  const update = useMutation(trpc.incomingWebhooks.update.mutationOptions({ onSuccess: onSaved }));
  const rotate = useMutation(trpc.incomingWebhooks.rotate.mutationOptions({ onSuccess: onSaved }));
  const remove = useMutation(trpc.incomingWebhooks.delete.mutationOptions({ onSuccess: () => router.push(`/w/${slug}/incoming-webhooks`) }));
  function save(e: FormEvent) {
    e.preventDefault();
    if ("error" in parsed) return;
    update.mutate({ workspace: slug, id: hook.id, parameterTemplate: parsed.template, rateLimitPerMinute: Number(rate) });
  }
  const error = update.error ?? rotate.error ?? remove.error;
  return (
    <Card title="Settings">
      <div className="mb-4 flex flex-wrap gap-2">
        <Button variant="secondary" disabled={update.isPending} onClick={() => update.mutate({ workspace: slug, id: hook.id, enabled: !hook.enabled })}>
          {hook.enabled ? "Disable" : "Enable"}
        </Button>
        <Button
          variant="secondary"
          disabled={rotate.isPending}
          onClick={() => {
            if (window.confirm(`Rotate ${hook.name}? The current URL${hook.signatureScheme === "none" ? "" : " and secret"} stop working at once.`)) rotate.mutate({ workspace: slug, id: hook.id });
          }}
        >
          Rotate URL{hook.signatureScheme === "none" ? "" : " and secret"}
        </Button>
        <Button
          variant="secondary"
          disabled={remove.isPending}
          onClick={() => {
            if (window.confirm(`Delete ${hook.name}? Its URL answers 404 from now on; the runs it started stay.`)) remove.mutate({ workspace: slug, id: hook.id });
          }}
        >
          Delete
        </Button>
      </div>
      <form onSubmit={save} aria-label="Endpoint settings" className="mt-3 flex flex-col gap-3">
        <TemplateField id="hook-template" value={templateText} onChange={setTemplateText} error={"error" in parsed ? parsed.error : null} />
        <TextField label="Calls a minute" id="hook-rate" type="number" min={1} max={6000} value={rate} onChange={(e) => setRate(e.target.value)} hint="More in a minute answer 429 with Retry-After." />
        <div>
          <Button type="submit" disabled={"error" in parsed || update.isPending}>
            Save settings
          </Button>
        </div>
      </form>
      {error && <Alert>{error.message}</Alert>}
      {update.isSuccess && <Alert tone="success">Saved.</Alert>}
    </Card>
  );
}

export function EndpointDetail({ slug, endpointId }: { slug: string; endpointId: string }) {
  const trpc = useTRPC();
  const workspace = useQuery(trpc.workspaces.get.queryOptions({ workspace: slug }));
  const hook = useQuery(trpc.incomingWebhooks.get.queryOptions({ workspace: slug, id: endpointId }));
  // Outside Settings: that form remounts after each save, and a secret is shown only once.
  const [secret, setSecret] = useState<string | null>(null);
  if (hook.isPending || workspace.isPending) return <p className="text-slate-500">Loading…</p>;
  if (hook.isError) return <Alert>{hook.error.message}</Alert>;
  if (workspace.isError) return <Alert>{workspace.error.message}</Alert>;
  const h = hook.data;
  const canEdit = roleAtLeast(workspace.data.role, "developer");
  const scheme = { none: "none (the URL alone)", github: "GitHub, X-Hub-Signature-256", stripe: "Stripe, Stripe-Signature" }[h.signatureScheme];
  return (
    <>
      <PageHeader
        title={h.name}
        description={
          <>
            Starts runs of{" "}
            <Link href={`/w/${slug}/deployments/${h.deploymentId}`} className="text-sky-800 hover:underline">
              {h.flowName}/{h.deploymentName}
            </Link>
            . Signature: {scheme}. {h.enabled ? <Badge tone="green">Enabled</Badge> : <Badge>Disabled</Badge>}
          </>
        }
      />
      <Card title="URL">
        {h.url ? (
          <p>
            <code aria-label="Endpoint URL" className="break-all font-mono text-sm">
              POST {h.url}
            </code>
          </p>
        ) : (
          <p className="text-slate-600">Only developers and owners see the URL: it alone can start runs.</p>
        )}
        <p className="mt-2 text-sm text-slate-500">
          Answers 202 with the run&apos;s id. A repeated Idempotency-Key or X-GitHub-Delivery answers the first run. Bodies up to 256 KiB, {h.rateLimitPerMinute} calls a minute.
        </p>
      </Card>
      {canEdit ? (
        <>
          {secret && <SecretOnce secret={secret} scheme={h.signatureScheme} />}
          <Settings key={h.updatedAt} slug={slug} hook={h} onSecret={setSecret} />
        </>
      ) : (
        <Card title="Parameter template">
          <pre className="overflow-x-auto font-mono text-sm">{JSON.stringify(h.parameterTemplate, null, 2)}</pre>
        </Card>
      )}
      <RequestLog slug={slug} endpointId={h.id} />
    </>
  );
}
