import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { RelativeTime } from "@/app/_components/relative-time";
import { StateBadge } from "@/app/_components/state-badge";
import { Card, EmptyState, PageHeader } from "@/app/_components/ui";
import { currentUser } from "@/server/auth/current-user";
import { publicUrl } from "@/server/env";
import { workspaceSummary } from "@/server/dashboard/workspace-summary";
import { getDb } from "@/server/db/client";
import { resolveWorkspaceAccess } from "@/server/workspaces/workspace-access";
import { RunsChart } from "./_dashboard/runs-chart";

export const metadata: Metadata = { title: "Dashboard" };
export const dynamic = "force-dynamic";

const hourLabel = (iso: string) => new Date(iso).toISOString().slice(11, 16);
const dayLabel = (iso: string) => new Date(iso).toISOString().slice(5, 10);

export default async function DashboardPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const user = await currentUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(`/w/${slug}`)}`);
  const db = getDb();
  const { workspace } = await resolveWorkspaceAccess(db, slug, user.id);
  const s = await workspaceSummary(db, workspace.id);
  const runs = (q: string) => `/w/${slug}/runs${q}`;
  const nothingYet = s.hours.every((h) => Object.keys(h.counts).length === 0) && s.days.every((d) => Object.keys(d.counts).length === 0) && s.nextRuns.length === 0;

  return (
    <div>
      <PageHeader title="Dashboard" description={workspace.name} />
      <div className="mb-6 grid grid-cols-2 gap-3 md:grid-cols-4">
        <Stat label="Failed, last 24 h" value={s.failed24h} href={runs("?state=FAILED")} alert={s.failed24h > 0} />
        <Stat label="Crashed, last 24 h" value={s.crashed24h} href={runs("?state=CRASHED")} alert={s.crashed24h > 0} />
        <Stat label="Late now" value={s.lateNow} href={runs("?state=SCHEDULED")} alert={s.lateNow > 0} />
        <Stat label="Agents online" value={s.agentsOnline} detail={`of ${s.agentsTotal}`} href={`/w/${slug}/work-pools`} alert={s.agentsTotal > 0 && s.agentsOnline === 0} />
      </div>

      {s.recentFailures.length > 0 && (
        <Card title="Recent failures">
          <ul className="divide-y divide-slate-100" aria-label="Recent failures">
            {s.recentFailures.map((f) => (
              <li key={f.id} className="py-2">
                <div className="flex items-center gap-2">
                  <StateBadge type={f.stateName === "Crashed" ? "CRASHED" : "FAILED"} name={f.stateName} />
                  <Link href={`/w/${slug}/runs/${f.id}`} className="font-medium text-sky-700 hover:underline">
                    {f.name}
                  </Link>
                  <span className="text-slate-500">{f.deploymentName ? `${f.flowName}/${f.deploymentName}` : f.flowName}</span>
                  {f.endTime && <span className="ml-auto text-xs text-slate-500"><RelativeTime value={f.endTime} /></span>}
                </div>
                {f.message && <p className="mt-1 font-mono text-xs text-red-800">{f.message}</p>}
              </li>
            ))}
          </ul>
        </Card>
      )}

      {nothingYet ? (
        <EmptyState title="Nothing has run here yet">
          <p>Four steps from here to a first run, each checked off as it happens:</p>
          <ol aria-label="Getting started" className="mx-auto mt-4 max-w-2xl space-y-3 text-left">
            <SetupStep done={s.setup.hasKey} title="Log the CLI in (the browser approves it)" command={`npx baton login --url ${publicUrl()}`} />
            <SetupStep done={s.setup.hasDeployment} title="Deploy a flow from your project" command="npx baton deploy path/to/flow.ts:myFlow --name daily --cron '0 6 * * *'" />
            <SetupStep done={s.setup.hasAgent} title="Start an agent where the code can run" command="npx baton agent start --pool default" />
            <SetupStep done={s.setup.hasRun} title="Start a run and watch it" command="npx baton run myFlow/daily --watch" />
          </ol>
          <p className="mt-4">
            The repository&apos;s <code>examples/ml-pipeline</code> deploys with <code>npx baton deploy</code> in its folder. The{" "}
            <Link href={`/w/${slug}/work-pools`} className="text-sky-700 underline">
              Work pools
            </Link>{" "}
            page shows agents as they connect.
          </p>
        </EmptyState>
      ) : (
        <>
          <Card title="Runs, last 24 hours">
            <RunsChart label="Runs per hour, last 24 hours" buckets={s.hours} format={hourLabel} />
          </Card>
          <Card title="Runs, last 7 days">
            <RunsChart label="Runs per day, last 7 days" buckets={s.days} format={dayLabel} />
          </Card>
          <Card title="Next scheduled runs">
            {s.nextRuns.length === 0 ? (
              <p className="text-slate-600">
                No scheduled runs. Add a schedule to a deployment (<code>--cron</code>, <code>--interval</code> or <code>--rrule</code> on <code>baton deploy</code>).
              </p>
            ) : (
              <ul aria-label="Next scheduled runs" className="divide-y divide-slate-100">
                {s.nextRuns.map((r) => (
                  <li key={r.id} className="flex items-center gap-2 py-1.5">
                    <Link href={`/w/${slug}/runs/${r.id}`} className="text-sky-700 hover:underline">
                      {r.deploymentName ? `${r.flowName}/${r.deploymentName}` : r.flowName}
                    </Link>
                    <span className="ml-auto text-slate-600"><RelativeTime value={r.scheduledTime} /></span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </>
      )}
    </div>
  );
}

function Stat({ label, value, detail, href, alert }: { label: string; value: number; detail?: string; href: string; alert: boolean }) {
  return (
    <Link href={href} className={`rounded-lg border bg-white p-4 hover:border-sky-400 ${alert ? "border-red-300" : "border-slate-200"}`}>
      <div className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</div>
      <div className={`mt-1 text-2xl font-semibold ${alert ? "text-red-700" : "text-slate-900"}`}>
        {value} {detail && <span className="text-sm font-normal text-slate-500">{detail}</span>}
      </div>
    </Link>
  );
}

function SetupStep({ done, title, command }: { done: boolean; title: string; command: string }) {
  return (
    <li className="flex gap-3">
      <span aria-hidden className={`mt-0.5 inline-flex h-5 w-5 shrink-0 items-center justify-center rounded-full text-xs ${done ? "bg-green-600 text-white" : "border border-slate-300 text-slate-400"}`}>
        {done ? "✓" : ""}
      </span>
      <div>
        <div className="font-medium text-slate-800">
          {title} <span className="text-xs font-normal text-slate-500">{done ? "(done)" : "(to do)"}</span>
        </div>
        <code className="mt-1 block rounded bg-slate-100 px-2 py-1 text-xs text-slate-800">{command}</code>
      </div>
    </li>
  );
}
