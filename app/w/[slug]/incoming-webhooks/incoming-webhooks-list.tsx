"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { RelativeTime } from "@/app/_components/relative-time";
import { Alert, Badge, Button, Card, EmptyState, PageHeader, SelectField, Table, Td, TextField, Th } from "@/app/_components/ui";
import { useTRPC } from "@/app/_trpc/provider";
import { roleAtLeast } from "@/server/auth/roles";
import { EXAMPLE_TEMPLATE, parseTemplate, SecretOnce, TemplateField } from "./template-field";

function CreateEndpointForm({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const deployments = useQuery(trpc.deployments.list.queryOptions({ workspace: slug }));
  const [name, setName] = useState("");
  const [deploymentId, setDeploymentId] = useState("");
  const [scheme, setScheme] = useState<"none" | "github" | "stripe">("github");
  const [templateText, setTemplateText] = useState(EXAMPLE_TEMPLATE);
  const [ownSecret, setOwnSecret] = useState("");
  const parsed = parseTemplate(templateText);
  const create = useMutation(
    trpc.incomingWebhooks.create.mutationOptions({
      onSuccess: async () => {
        setName("");
        await queryClient.invalidateQueries({ queryKey: trpc.incomingWebhooks.list.queryKey({ workspace: slug }) });
      },
    }),
  );
  const chosen = deploymentId || deployments.data?.[0]?.id || "";
  function submit(e: FormEvent) {
    e.preventDefault();
    if ("error" in parsed) return;
    const secret = scheme === "stripe" && ownSecret.trim() ? ownSecret.trim() : undefined;
    create.mutate({ workspace: slug, name: name.trim(), deploymentId: chosen, signatureScheme: scheme, secret, parameterTemplate: parsed.template, rateLimitPerMinute: 60 });
  }
  if (deployments.data && deployments.data.length === 0) {
    return <p className="text-slate-600">An endpoint starts runs of a deployment: deploy one first (`npx baton deploy`).</p>;
  }
  return (
    <form onSubmit={submit} aria-label="Create an incoming webhook" className="flex flex-col gap-3">
      <TextField label="Name" id="hook-name" value={name} onChange={(e) => setName(e.target.value)} hint="Shown in the audit log and on runs it starts, e.g. github-push." autoComplete="off" />
      <SelectField label="Deployment" id="hook-deployment" value={chosen} onChange={(e) => setDeploymentId(e.target.value)}>
        {(deployments.data ?? []).map((d) => (
          <option key={d.id} value={d.id}>
            {d.flowName}/{d.name}
          </option>
        ))}
      </SelectField>
      <SelectField label="Signature check" id="hook-scheme" value={scheme} onChange={(e) => setScheme(e.target.value as typeof scheme)}>
        <option value="github">GitHub (X-Hub-Signature-256)</option>
        <option value="stripe">Stripe (Stripe-Signature)</option>
        <option value="none">None: the URL alone</option>
      </SelectField>
      {scheme === "stripe" && (
        <TextField
          label="Stripe signing secret"
          id="hook-own-secret"
          value={ownSecret}
          onChange={(e) => setOwnSecret(e.target.value)}
          hint="Stripe makes its own (whsec_…, on the endpoint's page in Stripe): paste it here. Left empty, Baton makes one."
          autoComplete="off"
        />
      )}
      <TemplateField id="hook-template" value={templateText} onChange={setTemplateText} error={"error" in parsed ? parsed.error : null} />
      <div>
        <Button type="submit" disabled={!name.trim() || !chosen || "error" in parsed || create.isPending}>
          Create endpoint
        </Button>
      </div>
      {create.isError && <Alert>{create.error.message}</Alert>}
      {create.data && (
        <div className="flex flex-col gap-2">
          <Alert tone="success">
            Endpoint {create.data.incomingWebhook.name} created. Its URL:{" "}
            <code aria-label="Endpoint URL" className="break-all font-mono text-sm">
              {create.data.incomingWebhook.url}
            </code>{" "}
            <Link href={`/w/${slug}/incoming-webhooks/${create.data.incomingWebhook.id}`} className="text-sky-800 underline">
              Open {create.data.incomingWebhook.name}
            </Link>
          </Alert>
          {create.data.secret && <SecretOnce secret={create.data.secret} scheme={create.data.incomingWebhook.signatureScheme} />}
        </div>
      )}
    </form>
  );
}

export function IncomingWebhooksList({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const workspace = useQuery(trpc.workspaces.get.queryOptions({ workspace: slug }));
  const hooks = useQuery(trpc.incomingWebhooks.list.queryOptions({ workspace: slug }));
  const header = (
    <PageHeader
      title="Incoming webhooks"
      description="Public URLs that start a run of a deployment when GitHub, Stripe or any service calls them, with parameters taken from the request."
    />
  );
  if (hooks.isPending || workspace.isPending) return <>{header}<p className="text-slate-500">Loading…</p></>;
  if (hooks.isError) return <>{header}<Alert>{hooks.error.message}</Alert></>;
  if (workspace.isError) return <>{header}<Alert>{workspace.error.message}</Alert></>;
  const canEdit = roleAtLeast(workspace.data.role, "developer");
  return (
    <>
      {header}
      {hooks.data.length === 0 ? (
        <EmptyState title="No incoming webhooks yet">
          {canEdit ? "Create one below and paste its URL into GitHub's or Stripe's webhook settings (docs/incoming-webhooks.md)." : "A developer or owner can create one."}
        </EmptyState>
      ) : (
        <Table label="Incoming webhooks">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Deployment</Th>
              <Th>Signature</Th>
              <Th>Status</Th>
              <Th>Last call</Th>
            </tr>
          </thead>
          <tbody>
            {hooks.data.map((h) => (
              <tr key={h.id}>
                <Td>
                  <Link href={`/w/${slug}/incoming-webhooks/${h.id}`} className="font-medium text-sky-800 hover:underline">
                    {h.name}
                  </Link>
                </Td>
                <Td>
                  <Link href={`/w/${slug}/deployments/${h.deploymentId}`} className="text-sky-800 hover:underline">
                    {h.flowName}/{h.deploymentName}
                  </Link>
                </Td>
                <Td>{h.signatureScheme === "none" ? "None" : h.signatureScheme === "github" ? "GitHub" : "Stripe"}</Td>
                <Td>{h.enabled ? <Badge tone="green">Enabled</Badge> : <Badge>Disabled</Badge>}</Td>
                <Td>{h.lastRequestAt ? <RelativeTime value={h.lastRequestAt} /> : <span className="text-slate-500">Never</span>}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {canEdit && (
        <div className="mt-6">
          <Card title="Create an endpoint">
            <CreateEndpointForm slug={slug} />
          </Card>
        </div>
      )}
    </>
  );
}
