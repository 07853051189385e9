"use client";

import { isPythonEntrypoint } from "@/agent/protocol/deployments";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { useLiveRefresh } from "@/app/_live/use-live-refresh";
import { RelativeTime } from "@/app/_components/relative-time";
import { StateBadge } from "@/app/_components/state-badge";
import { Alert, Badge, Button, Card, PageHeader, Table, Td, Th } from "@/app/_components/ui";
import { useTRPC } from "@/app/_trpc/provider";
import { roleAtLeast } from "@/server/auth/roles";
import { ParameterForm, type SubmitResult } from "./parameter-form/parameter-form";
import { DeploymentEnv } from "./deployment-env";
import { buildFormModel, collectParameters, initialValues } from "./parameter-form/form-model";
import { CatchUpEditor } from "./catch-up-editor";
import { SourceEditor } from "./source-editor";
import { ScheduleEditor } from "./schedule-editor";
import { SuccessSparkline } from "./success-sparkline";

function Item({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="flex gap-3 py-1">
      <dt className="w-36 shrink-0 text-slate-500">{term}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

function duration(start: string | null, end: string | null) {
  if (!start || !end) return "—";
  const s = Math.round((Date.parse(end) - Date.parse(start)) / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

function retryDelayText(d: { kind: string; seconds?: number | number[]; baseSeconds?: number; maxSeconds?: number }) {
  if (d.kind === "fixed") return `${d.seconds}s between attempts`;
  if (d.kind === "list") return `${(d.seconds as number[]).join("s, ")}s between attempts`;
  return `exponential from ${d.baseSeconds}s${d.maxSeconds ? ` up to ${d.maxSeconds}s` : ""}`;
}

type TrpcErrorLike = { message: string; data?: { fieldErrors?: Record<string, string[]> | null } | null };

export function DeploymentDetail({ slug, deploymentId }: { slug: string; deploymentId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useLiveRefresh(slug, { kinds: ["flow_run"] });
  const workspace = useQuery(trpc.workspaces.get.queryOptions({ workspace: slug }));
  const deployment = useQuery(trpc.deployments.get.queryOptions({ workspace: slug, deploymentId }, { retry: false }));
  const overview = useQuery(trpc.deployments.overview.queryOptions({ workspace: slug }));
  const runs = useQuery(trpc.runs.list.queryOptions({ workspace: slug, deployment: deploymentId, limit: 30 }));
  const [showForm, setShowForm] = useState(false);
  const [started, setStarted] = useState<{ id: string; name: string } | null>(null);
  const [quickError, setQuickError] = useState<string | null>(null);

  const refresh = () => queryClient.invalidateQueries();
  const setPaused = useMutation(trpc.deployments.setPaused.mutationOptions({ onSuccess: refresh }));
  const createRun = useMutation(trpc.runs.create.mutationOptions({ onSuccess: refresh }));

  if (deployment.isPending || workspace.isPending) return <p className="text-slate-500">Loading…</p>;
  if (deployment.isError) return <Alert>{deployment.error.message}</Alert>;
  if (workspace.isError) return <Alert>{workspace.error.message}</Alert>;
  const d = deployment.data;
  const role = workspace.data.role;
  const canRun = roleAtLeast(role, "runner");
  const canEdit = roleAtLeast(role, "developer");
  const o = overview.data?.find((x) => x.deploymentId === d.id);
  // The scheduler keeps future runs waiting ahead; they are "next", not "recent".
  const soon = runs.dataUpdatedAt + 60_000;
  const isUpcoming = (r: { state: { type: string }; scheduledTime: string }) => r.state.type === "SCHEDULED" && Date.parse(r.scheduledTime) > soon;
  const recent = runs.data?.runs.filter((r) => !isUpcoming(r)) ?? [];
  const upcoming = runs.data?.runs.filter(isUpcoming).length ?? 0;

  async function run(parameters: Record<string, unknown>): Promise<SubmitResult> {
    try {
      const { run } = await createRun.mutateAsync({ workspace: slug, deploymentId: d.id, parameters });
      setStarted({ id: run.id, name: run.name });
      setShowForm(false);
      return { ok: true };
    } catch (err) {
      const e = err as TrpcErrorLike;
      return { ok: false, message: e.message, fieldErrors: e.data?.fieldErrors };
    }
  }

  async function quickRun() {
    setQuickError(null);
    setStarted(null);
    const model = buildFormModel(d.parameterSchema, d.parameters);
    const { parameters, errors } = collectParameters(model, initialValues(model, d.parameterSchema, d.parameters));
    const missing = Object.keys(errors);
    if (missing.length) {
      setQuickError(`Quick run needs a value for ${missing.join(", ")}, which has no default. Use Run to fill it in.`);
      return;
    }
    const result = await run(parameters);
    if (!result.ok) setQuickError(result.message);
  }

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
        <Link href={`/w/${slug}/deployments`} className="hover:underline">
          Deployments
        </Link>{" "}
        /{" "}
        <Link href={`/w/${slug}/flows/${d.flowId}`} className="hover:underline">
          {d.flowName}
        </Link>
      </nav>
      <PageHeader
        title={d.name}
        description={
          <span className="inline-flex items-center gap-2">
            {d.paused ? <Badge tone="amber">Paused</Badge> : <Badge tone="green">Active</Badge>}
            {d.description}
          </span>
        }
        actions={
          <div className="flex gap-2">
            {canRun && (
              <>
                <Button onClick={() => { setShowForm(true); setStarted(null); setQuickError(null); }}>Run</Button>
                <Button variant="secondary" onClick={quickRun} disabled={createRun.isPending}>
                  Quick run
                </Button>
              </>
            )}
            {canEdit && (
              <Button variant="secondary" disabled={setPaused.isPending} onClick={() => setPaused.mutate({ workspace: slug, deploymentId: d.id, paused: !d.paused })}>
                {d.paused ? "Resume" : "Pause"}
              </Button>
            )}
          </div>
        }
      />
      {setPaused.isError && <Alert>{setPaused.error.message}</Alert>}
      {started && (
        <div className="mb-4">
          <Alert tone="success">
            Run{" "}
            <Link href={`/w/${slug}/runs/${started.id}`} className="font-medium underline">
              {started.name}
            </Link>{" "}
            created.
          </Alert>
        </div>
      )}
      {quickError && (
        <div className="mb-4">
          <Alert>{quickError}</Alert>
        </div>
      )}
      {showForm && canRun && (
        <Card title="Run with parameters">
          <ParameterForm schema={d.parameterSchema} defaults={d.parameters} submitLabel="Start run" onSubmit={run} onCancel={() => setShowForm(false)} />
        </Card>
      )}
      <div className="grid grid-cols-1 gap-x-6 xl:grid-cols-2">
        <Card title="Details">
          <dl className="text-sm">
            <Item term="Flow">
              <Link href={`/w/${slug}/flows/${d.flowId}`} className="text-sky-800 hover:underline">
                {d.flowName}
              </Link>
            </Item>
            <Item term={d.kind === "flow" ? "Entrypoint" : "Command"}>
              <code className="rounded bg-slate-100 px-1 font-mono text-xs">{d.kind === "flow" ? d.entrypoint : d.command}</code>
            </Item>
            {isPythonEntrypoint(d.entrypoint) && (
              <Item term="Python">
                <code className="rounded bg-slate-100 px-1 font-mono text-xs">{d.python ?? "the agent's --python (default python3)"}</code>
              </Item>
            )}
            <Item term="Code">
              <SourceEditor key={JSON.stringify([d.source, d.setup])} slug={slug} deployment={d} canEdit={canEdit} />
            </Item>
            <Item term="Work pool">
              <Link href={`/w/${slug}/work-pools`} className="text-sky-800 hover:underline">
                {d.workPool}
              </Link>
            </Item>
            <Item term="Retries">{d.retries === 0 ? "none" : `${d.retries} (${retryDelayText(d.retryDelay)})`}</Item>
            <Item term="Timeout">{d.timeoutSeconds ? `${d.timeoutSeconds}s` : "none"}</Item>
            <Item term="Concurrency limit">{d.concurrencyLimit ?? "none"}</Item>
            <Item term="Catch-up">
              <CatchUpEditor key={`${d.catchUp}:${d.maxLatenessSeconds}`} slug={slug} deployment={d} canEdit={canEdit} />
            </Item>
            <Item term="Tags">{d.tags.length ? d.tags.map((t) => <Badge key={t}>{t}</Badge>) : "none"}</Item>
            <Item term="Next run">{o?.nextRunTime ? <RelativeTime value={o.nextRunTime} /> : d.paused ? "paused" : "none scheduled"}</Item>
            <Item term="Updated">
              <RelativeTime value={d.updatedAt} />
            </Item>
          </dl>
        </Card>
        <Card title="Schedules">
          <ScheduleEditor slug={slug} deployment={d} canEdit={canEdit} />
        </Card>
        <Card title="Environment">
          <DeploymentEnv slug={slug} env={d.env} secrets={d.secrets} />
        </Card>
      </div>
      <Card title="Recent runs">
        {runs.isError && <Alert>{runs.error.message}</Alert>}
        {runs.data && (
          <div className="flex flex-col gap-3">
            <SuccessSparkline runs={recent} />
            {upcoming > 0 && <p className="text-sm text-slate-500">{upcoming === 1 ? "1 scheduled run is" : `${upcoming} scheduled runs are`} waiting for its time.</p>}
            {recent.length === 0 ? (
              <p className="text-slate-600">{canRun ? "No runs yet. Start one with Run or Quick run." : "No runs yet."}</p>
            ) : (
              <Table label="Recent runs">
                <thead>
                  <tr>
                    <Th>Run</Th>
                    <Th>State</Th>
                    <Th>Scheduled</Th>
                    <Th>Duration</Th>
                  </tr>
                </thead>
                <tbody>
                  {recent.map((r) => (
                    <tr key={r.id}>
                      <Td>
                        <Link href={`/w/${slug}/runs/${r.id}`} className="font-medium text-sky-800 hover:underline">
                          {r.name}
                        </Link>
                      </Td>
                      <Td>
                        <StateBadge type={r.state.type} name={r.state.name} />
                      </Td>
                      <Td>
                        <RelativeTime value={r.scheduledTime} />
                      </Td>
                      <Td>{duration(r.startTime, r.endTime)}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
          </div>
        )}
      </Card>
    </>
  );
}
