"use client";

import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { STATE_TYPES } from "@/agent/protocol/states";
import { useTRPC } from "@/app/_trpc/provider";
import { Button, SelectField, TextField } from "@/app/_components/ui";

export const TIME_RANGES = [
  { value: "", label: "Any time", ms: 0 },
  { value: "1h", label: "Last hour", ms: 3_600_000 },
  { value: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { value: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { value: "30d", label: "Last 30 days", ms: 30 * 86_400_000 },
] as const;

export type Filters = { state: string; deployment: string; flow: string; tag: string; range: string };

const STATE_LABEL: Record<string, string> = {
  SCHEDULED: "Scheduled",
  PENDING: "Pending",
  RUNNING: "Running",
  PAUSED: "Paused",
  COMPLETED: "Completed",
  FAILED: "Failed",
  CRASHED: "Crashed",
  CANCELLING: "Cancelling",
  CANCELLED: "Cancelled",
};

export function RunsFilters({ slug, value, onChange }: { slug: string; value: Filters; onChange: (next: Filters) => void }) {
  const trpc = useTRPC();
  const deployments = useQuery(trpc.deployments.list.queryOptions({ workspace: slug }));
  const flows = useQuery(trpc.deployments.flows.queryOptions({ workspace: slug }));
  const [tag, setTag] = useState(value.tag);

  function onTag(event: FormEvent) {
    event.preventDefault();
    onChange({ ...value, tag: tag.trim() });
  }

  return (
    <form role="search" aria-label="Filter runs" onSubmit={onTag} className="mb-4 flex flex-wrap items-end gap-3">
      <SelectField id="filter-state" label="State" value={value.state} onChange={(e) => onChange({ ...value, state: e.target.value })}>
        <option value="">All states</option>
        {STATE_TYPES.map((t) => (
          <option key={t} value={t}>
            {STATE_LABEL[t]}
          </option>
        ))}
      </SelectField>
      <SelectField id="filter-deployment" label="Deployment" value={value.deployment} onChange={(e) => onChange({ ...value, deployment: e.target.value })}>
        <option value="">All deployments</option>
        {deployments.data?.map((d) => (
          <option key={d.id} value={d.id}>
            {d.flowName}/{d.name}
          </option>
        ))}
      </SelectField>
      <SelectField id="filter-flow" label="Flow" value={value.flow} onChange={(e) => onChange({ ...value, flow: e.target.value })}>
        <option value="">All flows</option>
        {flows.data?.map((f) => (
          <option key={f.id} value={f.id}>
            {f.name}
          </option>
        ))}
      </SelectField>
      <SelectField id="filter-range" label="Time range" value={value.range} onChange={(e) => onChange({ ...value, range: e.target.value })}>
        {TIME_RANGES.map((r) => (
          <option key={r.value} value={r.value}>
            {r.label}
          </option>
        ))}
      </SelectField>
      <TextField id="filter-tag" label="Tag" value={tag} onChange={(e) => setTag(e.target.value)} placeholder="e.g. nightly" />
      <Button type="submit" variant="secondary">
        Apply tag
      </Button>
    </form>
  );
}
