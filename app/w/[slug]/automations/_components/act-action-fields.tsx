"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/provider";
import { SelectField } from "@/app/_components/ui";
import { templateRoots, type ActActionInput, type ActActionKind, type AutomationTriggerKind } from "@/agent/protocol/automations";
import { checkParameterTemplate, ParameterTemplateError } from "@/server/runs/parameter-template";
import type { DestinationView } from "./describe-automation";

/** The form's state of an action that acts (run / pause / resume a deployment, cancel runs, pause / resume a pool). */
export type ActDraft = {
  key: string;
  kind: ActActionKind;
  id?: string;
  /** "" = the triggering run's (not allowed for run_deployment). */
  deploymentId: string;
  /** The parameter template as JSON text. */
  parameters: string;
  which: "triggering" | "deployment_others";
  workPoolId: string;
};

export function newActDraft(key: string, kind: ActActionKind): ActDraft {
  return { key, kind, deploymentId: "", parameters: kind === "run_deployment" ? '{\n  "date": "{{ run.parameters.date }}"\n}' : "{}", which: "triggering", workPoolId: "" };
}

export function actDraftOf(key: string, d: DestinationView & { kind: ActActionKind }): ActDraft {
  const c = (d.config ?? {}) as { deploymentId?: string | null; parameters?: unknown; which?: ActDraft["which"]; workPoolId?: string | null };
  return {
    key,
    kind: d.kind,
    id: d.id,
    deploymentId: c.deploymentId ?? "",
    parameters: JSON.stringify(c.parameters ?? {}, null, 2),
    which: c.which ?? "triggering",
    workPoolId: c.workPoolId ?? "",
  };
}

/** The parameter template's problem as the server would say it, checked in the browser while typing. */
export function parametersProblem(draft: ActDraft, trigger: AutomationTriggerKind): string | null {
  if (draft.kind !== "run_deployment") return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(draft.parameters || "{}");
  } catch (err) {
    return `The parameters are not JSON (${(err as Error).message}). Write an object, e.g. { "date": "{{ run.parameters.date }}" }.`;
  }
  try {
    checkParameterTemplate(parsed, templateRoots(trigger));
    return null;
  } catch (err) {
    if (err instanceof ParameterTemplateError) return err.message;
    throw err;
  }
}

/** The action as the API takes it; null when the JSON does not parse (the form shows why). */
export function actInputOf(d: ActDraft): ActActionInput | null {
  switch (d.kind) {
    case "run_deployment": {
      let parameters: Record<string, unknown>;
      try {
        parameters = JSON.parse(d.parameters || "{}") as Record<string, unknown>;
      } catch {
        return null;
      }
      return { kind: d.kind, id: d.id, deploymentId: d.deploymentId, parameters };
    }
    case "pause_deployment":
    case "resume_deployment":
      return { kind: d.kind, id: d.id, deploymentId: d.deploymentId || null };
    case "cancel_runs":
      return { kind: d.kind, id: d.id, which: d.which };
    case "pause_work_pool":
    case "resume_work_pool":
      return { kind: d.kind, id: d.id, workPoolId: d.workPoolId || null };
  }
}

export function ActActionFields({ slug, draft, trigger, onChange }: { slug: string; draft: ActDraft; trigger: AutomationTriggerKind; onChange: (change: Partial<ActDraft>) => void }) {
  const trpc = useTRPC();
  const deployments = useQuery(trpc.deployments.list.queryOptions({ workspace: slug }));
  const pools = useQuery(trpc.workPools.list.queryOptions({ workspace: slug }, { enabled: draft.kind.endsWith("work_pool") }));
  const deploymentOptions = (deployments.data ?? []).map((d) => ({ value: d.id, label: `${d.flowName}/${d.name}` }));

  if (draft.kind === "run_deployment") {
    const problem = parametersProblem(draft, trigger);
    return (
      <div className="flex flex-col gap-3">
        <SelectField id={`${draft.key}-deployment`} label="Deployment to run" value={draft.deploymentId} onChange={(e) => onChange({ deploymentId: e.target.value })}>
          <option value="">Choose a deployment…</option>
          {deploymentOptions.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </SelectField>
        <div className="flex flex-col gap-1">
          <label htmlFor={`${draft.key}-parameters`} className="font-medium text-slate-700">
            Parameters (a template over the event)
          </label>
          <textarea
            id={`${draft.key}-parameters`}
            rows={4}
            value={draft.parameters}
            onChange={(e) => onChange({ parameters: e.target.value })}
            aria-invalid={problem ? true : undefined}
            aria-describedby={`${draft.key}-parameters-hint`}
            className="rounded-md border border-slate-300 px-2.5 py-1.5 font-mono text-sm aria-invalid:border-red-500"
          />
          <p id={`${draft.key}-parameters-hint`} className="text-xs text-slate-500">
            JSON; a value {"“{{ run.parameters.date }}”"} takes the triggering run&apos;s value with its type. Available: {templateRoots(trigger).map((r) => `${r}.…`).join(", ")}. The deployment&apos;s defaults fill the rest.
          </p>
          {problem && <p className="text-xs text-red-700">{problem}</p>}
        </div>
      </div>
    );
  }
  if (draft.kind === "pause_deployment" || draft.kind === "resume_deployment") {
    return (
      <SelectField id={`${draft.key}-deployment`} label={`Deployment to ${draft.kind === "pause_deployment" ? "pause" : "resume"}`} value={draft.deploymentId} onChange={(e) => onChange({ deploymentId: e.target.value })}>
        <option value="">The triggering run&apos;s deployment</option>
        {deploymentOptions.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </SelectField>
    );
  }
  if (draft.kind === "cancel_runs") {
    return (
      <SelectField id={`${draft.key}-which`} label="Runs to cancel" value={draft.which} onChange={(e) => onChange({ which: e.target.value as ActDraft["which"] })}>
        <option value="triggering">The triggering run (e.g. a Late run, or one running too long)</option>
        <option value="deployment_others">The other active runs of its deployment</option>
      </SelectField>
    );
  }
  return (
    <SelectField id={`${draft.key}-pool`} label={`Work pool to ${draft.kind === "pause_work_pool" ? "pause" : "resume"}`} value={draft.workPoolId} onChange={(e) => onChange({ workPoolId: e.target.value })}>
      <option value="">The triggering run&apos;s (or agent&apos;s) pool</option>
      {(pools.data ?? []).map((p) => (
        <option key={p.id} value={p.id}>
          {p.name}
        </option>
      ))}
    </SelectField>
  );
}
