"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/provider";
import { Alert, Badge, Button, Card } from "@/app/_components/ui";

const n = (v: number) => v.toLocaleString("en-US");
const day = (iso: string) => new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });

function UsageBar({ label, used, limit }: { label: string; used: number; limit: number | null }) {
  const ratio = limit ? Math.min(1, used / limit) : 0;
  const tone = limit && used >= limit ? "bg-red-600" : ratio >= 0.8 ? "bg-amber-500" : "bg-slate-700";
  return (
    <div>
      <div className="flex justify-between text-sm">
        <span>{label}</span>
        <span className="tabular-nums text-slate-600">{limit === null ? `${n(used)} (unlimited)` : `${n(used)} of ${n(limit)}`}</span>
      </div>
      {limit !== null && (
        <div role="progressbar" aria-label={label} aria-valuenow={used} aria-valuemin={0} aria-valuemax={limit} className="mt-1 h-2 rounded bg-slate-100">
          <div className={`h-2 rounded ${tone}`} style={{ width: `${ratio * 100}%` }} />
        </div>
      )}
    </div>
  );
}

export function BillingSettings({ slug, checkout }: { slug: string; checkout: "success" | "cancelled" | null }) {
  const trpc = useTRPC();
  const overview = useQuery(trpc.billing.overview.queryOptions({ workspace: slug }));
  const go = { onSuccess: ({ url }: { url: string }) => window.location.assign(url) };
  const upgrade = useMutation(trpc.billing.checkout.mutationOptions(go));
  const portal = useMutation(trpc.billing.portal.mutationOptions(go));
  if (overview.isPending) return <p className="text-slate-500">Loading…</p>;
  if (overview.isError) return <Alert>{overview.error.message}</Alert>;
  const o = overview.data;
  const error = upgrade.error ?? portal.error;
  return (
    <div className="flex flex-col gap-6">
      {checkout === "success" && <Alert tone="success">Thanks! The upgrade shows here as soon as Stripe confirms the payment (usually within seconds).</Alert>}
      {checkout === "cancelled" && <Alert tone="info">Checkout cancelled: nothing was charged.</Alert>}
      {o.pastDue && o.graceEndsAt && (
        <Alert>
          The last payment failed. {o.plan.id === "hobby" ? "The grace period is over: Hobby's limits apply." : `${o.plan.name} stays active until ${day(o.graceEndsAt)}.`} Update the card with
          “Manage billing”.
        </Alert>
      )}
      {error && <Alert>{error.message}</Alert>}
      <Card title="Plan">
        <div className="flex flex-wrap items-center gap-3">
          <span className="text-lg font-semibold">{o.plan.name}</span>
          {o.status && <Badge tone={o.status === "active" || o.status === "trialing" ? "green" : "amber"}>{o.status.replace("_", " ")}</Badge>}
          {o.renewsAt && (
            <span className="text-sm text-slate-600">
              {o.cancelAtPeriodEnd ? "Ends" : "Renews"} on <time dateTime={o.renewsAt}>{day(o.renewsAt)}</time>
            </span>
          )}
          <span className="text-sm text-slate-600">Runs and logs kept {o.retentionDays} days.</span>
          {o.upgrades.length === 0 && o.hasCustomer && <span className="text-sm text-slate-600">Change plan or cancel with “Manage billing and invoices”.</span>}
          {o.hasCustomer && (
            <Button variant="secondary" className="ml-auto" disabled={portal.isPending} onClick={() => portal.mutate({ workspace: slug })}>
              Manage billing and invoices
            </Button>
          )}
        </div>
      </Card>
      <Card title={`Usage this month (${o.month.slice(0, 7)})`}>
        <div className="flex flex-col gap-4">
          {o.usage.map((u) => (
            <UsageBar key={u.key} label={u.label} used={u.used} limit={u.limit} />
          ))}
        </div>
        {o.limitHit && <p className="mt-3 text-sm text-red-700">The run limit was reached this month: new and scheduled runs are refused until the month ends.</p>}
        {o.usage.some((u) => u.key === "alertEmails" && u.limit !== null && u.used >= u.limit) && (
          <p className="mt-3 text-sm text-red-700">The alert email allowance is used up this month: email alerts are skipped (listed in each automation’s deliveries) until the month ends. Slack and webhook alerts still go out.</p>
        )}
      </Card>
      {o.upgrades.length > 0 && (
        <Card title="Upgrade">
          <ul className="grid gap-4 sm:grid-cols-2">
            {o.upgrades.map((p) => (
              <li key={p.id} className="rounded-md border border-slate-200 p-4">
                <h3 className="font-semibold">{p.name}</h3>
                <p className="mt-1 text-sm text-slate-600">
                  {n(p.runsPerMonth)} runs a month · {p.members === null ? "unlimited members" : `${n(p.members)} members`} ·{" "}
                  {p.agents === null ? "unlimited agents" : `${n(p.agents)} agents online`} · {p.retentionDays}-day retention
                </p>
                <Button className="mt-3" disabled={upgrade.isPending} onClick={() => upgrade.mutate({ workspace: slug, plan: p.id })}>
                  Upgrade to {p.name}
                </Button>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}
