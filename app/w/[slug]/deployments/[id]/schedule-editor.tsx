"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { Deployment, ScheduleInput } from "@/agent/protocol/deployments";
import { Alert, Button, SelectField, TextField } from "@/app/_components/ui";
import { useTRPC } from "@/app/_trpc/provider";
import { describeSchedule } from "../describe-schedule";

type Unit = "seconds" | "minutes" | "hours" | "days";
const UNIT_SECONDS: Record<Unit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

type Draft = {
  key: number;
  kind: "cron" | "interval" | "rrule";
  cron: string;
  every: string;
  unit: Unit;
  anchor: string | null;
  rrule: string;
  timezone: string;
  active: boolean;
  parameters: Record<string, unknown>;
};

let nextKey = 1;

function toDraft(s: Deployment["schedules"][number]): Draft {
  const seconds = s.intervalSeconds ?? 3600;
  const unit = (["days", "hours", "minutes", "seconds"] as Unit[]).find((u) => seconds % UNIT_SECONDS[u] === 0) ?? "seconds";
  return {
    key: nextKey++,
    kind: s.kind,
    cron: s.cron ?? "",
    every: String(seconds / UNIT_SECONDS[unit]),
    unit,
    anchor: s.anchor,
    rrule: s.rrule ?? "",
    timezone: s.timezone,
    active: s.active,
    parameters: s.parameters,
  };
}

const blankDraft = (): Draft => ({
  key: nextKey++,
  kind: "cron",
  cron: "0 9 * * *",
  every: "1",
  unit: "hours",
  anchor: null,
  rrule: "RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0",
  timezone: typeof Intl !== "undefined" ? Intl.DateTimeFormat().resolvedOptions().timeZone : "UTC",
  active: true,
  parameters: {},
});

function intervalSeconds(d: Draft) {
  const n = Number(d.every);
  return Number.isFinite(n) ? Math.round(n * UNIT_SECONDS[d.unit]) : NaN;
}

function toInput(d: Draft): ScheduleInput {
  const common = { timezone: d.timezone.trim() || "UTC", active: d.active, parameters: d.parameters };
  if (d.kind === "cron") return { kind: "cron", cron: d.cron.trim(), ...common };
  if (d.kind === "rrule") return { kind: "rrule", rrule: d.rrule.trim(), ...common };
  return { kind: "interval", intervalSeconds: intervalSeconds(d), ...(d.anchor ? { anchor: d.anchor } : {}), ...common };
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

function formatIn(iso: string, timeZone: string) {
  try {
    return new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" }).format(new Date(iso));
  } catch {
    return iso;
  }
}

const ZONES = typeof Intl !== "undefined" && "supportedValuesOf" in Intl ? Intl.supportedValuesOf("timeZone") : [];

function ScheduleRow({ slug, index, draft, onChange, onRemove }: { slug: string; index: number; draft: Draft; onChange: (d: Draft) => void; onRemove: () => void }) {
  const trpc = useTRPC();
  const id = (f: string) => `schedule-${draft.key}-${f}`;
  const input = useDebounced(
    {
      workspace: slug,
      kind: draft.kind,
      cron: draft.kind === "cron" ? draft.cron : undefined,
      rrule: draft.kind === "rrule" ? draft.rrule : undefined,
      intervalSeconds: draft.kind === "interval" ? intervalSeconds(draft) : undefined,
      anchor: draft.kind === "interval" && draft.anchor ? draft.anchor : undefined,
      timezone: draft.timezone.trim() || "UTC",
      count: 5,
    },
    300,
  );
  const preview = useQuery(trpc.deployments.previewSchedule.queryOptions(input, { retry: false }));
  const fieldErrors = (preview.error?.data as { fieldErrors?: Record<string, string[]> } | undefined)?.fieldErrors ?? {};
  const err = (f: string) => fieldErrors[f]?.join(" ");
  const otherError = preview.isError && !Object.keys(fieldErrors).length ? preview.error.message : null;
  const set = (patch: Partial<Draft>) => onChange({ ...draft, ...patch });

  return (
    <fieldset className="flex flex-col gap-3 rounded-md border border-slate-200 p-4">
      <legend className="px-1 font-medium">Schedule {index + 1}</legend>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-3">
        <SelectField label="Kind" id={id("kind")} value={draft.kind} onChange={(e) => set({ kind: e.target.value as Draft["kind"] })}>
          <option value="cron">Cron</option>
          <option value="interval">Interval</option>
          <option value="rrule">RRULE</option>
        </SelectField>
        {draft.kind === "cron" && (
          <TextField label="Cron expression" id={id("cron")} value={draft.cron} onChange={(e) => set({ cron: e.target.value })} error={err("cron")} hint="minute hour day-of-month month day-of-week, e.g. 0 9 * * 1-5" className="font-mono" />
        )}
        {draft.kind === "interval" && (
          <div className="flex gap-2">
            <TextField label="Every" id={id("every")} inputMode="decimal" value={draft.every} onChange={(e) => set({ every: e.target.value })} error={err("intervalSeconds") ?? err("anchor")} className="w-24" />
            <SelectField label="Unit" id={id("unit")} value={draft.unit} onChange={(e) => set({ unit: e.target.value as Unit })}>
              {(Object.keys(UNIT_SECONDS) as Unit[]).map((u) => (
                <option key={u} value={u}>
                  {u}
                </option>
              ))}
            </SelectField>
          </div>
        )}
        {draft.kind === "rrule" && (
          <div className="flex flex-col gap-1 md:col-span-1">
            <label htmlFor={id("rrule")} className="font-medium text-slate-700">
              RRULE
            </label>
            <textarea
              id={id("rrule")}
              rows={2}
              value={draft.rrule}
              onChange={(e) => set({ rrule: e.target.value })}
              aria-invalid={err("rrule") ? true : undefined}
              aria-describedby={err("rrule") ? `${id("rrule")}-error` : undefined}
              className="rounded-md border border-slate-300 px-2.5 py-1.5 font-mono text-xs aria-invalid:border-red-500"
            />
            {err("rrule") && (
              <p id={`${id("rrule")}-error`} className="text-xs text-red-700">
                {err("rrule")}
              </p>
            )}
          </div>
        )}
        <TextField label="Time zone" id={id("timezone")} list="iana-time-zones" value={draft.timezone} onChange={(e) => set({ timezone: e.target.value })} error={err("timezone")} hint={draft.kind === "interval" ? "Intervals count elapsed time; the zone is for display." : undefined} />
      </div>
      <div className="flex items-center gap-2">
        <input id={id("active")} type="checkbox" checked={draft.active} onChange={(e) => set({ active: e.target.checked })} className="h-4 w-4" />
        <label htmlFor={id("active")}>Active</label>
      </div>
      {otherError && <Alert>{otherError}</Alert>}
      {preview.data && !preview.isError && (
        <div>
          <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Next {preview.data.times.length} runs · {describeSchedule({ kind: draft.kind, cron: draft.cron, intervalSeconds: intervalSeconds(draft), rrule: draft.rrule, timezone: preview.data.timezone })}</h4>
          <ol aria-label={`Next runs of schedule ${index + 1}`} className="mt-1 list-decimal pl-5 text-sm">
            {preview.data.times.map((t) => (
              <li key={t}>
                <time dateTime={t}>{formatIn(t, preview.data.timezone)}</time>
              </li>
            ))}
          </ol>
          {preview.data.times.length === 0 && <p className="text-sm text-slate-500">This schedule has no more times.</p>}
        </div>
      )}
      <div>
        <Button variant="danger" onClick={onRemove}>
          Remove schedule {index + 1}
        </Button>
      </div>
    </fieldset>
  );
}

/** The deployment's schedules in words; developers edit them here with a live preview of the next times. */
export function ScheduleEditor({ slug, deployment, canEdit }: { slug: string; deployment: Deployment; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [drafts, setDrafts] = useState<Draft[] | null>(null);
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.deployments.replaceSchedules.mutationOptions({
      onSuccess: async () => {
        setDrafts(null);
        setSaved(true);
        await queryClient.invalidateQueries();
      },
    }),
  );

  if (!drafts) {
    return (
      <div className="flex flex-col gap-3">
        {saved && <Alert tone="success">Schedules saved. The scheduler fills the new times within seconds.</Alert>}
        {deployment.schedules.length === 0 ? (
          <p className="text-slate-600">No schedule: this deployment runs only when someone starts it.</p>
        ) : (
          <ul className="flex flex-col gap-1" aria-label="Schedules">
            {deployment.schedules.map((s) => (
              <li key={s.id}>
                {describeSchedule(s)}
                {!s.active && <span className="ml-2 text-xs text-slate-500">(inactive)</span>}
              </li>
            ))}
          </ul>
        )}
        {canEdit && (
          <div>
            <Button
              variant="secondary"
              onClick={() => {
                setSaved(false);
                save.reset();
                setDrafts(deployment.schedules.length ? deployment.schedules.map(toDraft) : [blankDraft()]);
              }}
            >
              Edit schedules
            </Button>
          </div>
        )}
      </div>
    );
  }

  return (
    <form
      className="flex flex-col gap-4"
      aria-label="Schedule editor"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({ workspace: slug, deploymentId: deployment.id, schedules: drafts.map(toInput) });
      }}
    >
      <datalist id="iana-time-zones">
        {ZONES.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      {drafts.map((d, i) => (
        <ScheduleRow key={d.key} slug={slug} index={i} draft={d} onChange={(nd) => setDrafts(drafts.map((x) => (x.key === d.key ? nd : x)))} onRemove={() => setDrafts(drafts.filter((x) => x.key !== d.key))} />
      ))}
      {drafts.length === 0 && <p className="text-slate-600">No schedules: saving makes this deployment run only when someone starts it.</p>}
      {save.isError && <Alert>{save.error.message}</Alert>}
      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save schedules"}
        </Button>
        <Button variant="secondary" onClick={() => setDrafts([...drafts, blankDraft()])}>
          Add schedule
        </Button>
        <Button variant="secondary" onClick={() => setDrafts(null)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
