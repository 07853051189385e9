"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";
import { Alert, Button, Card, SelectField, TextField } from "@/app/_components/ui";
import { useTRPC } from "@/app/_trpc/provider";
import { defaultTemplate, TEMPLATE_VARIABLES, validateMessageTemplate } from "@/server/alerts/message-template";
import type { AlertEventName } from "@/server/alerts/alert-context";
import { DESTINATION_LABELS, RUN_EVENTS, TRIGGER_LABELS, type AutomationView } from "./describe-automation";
import { handOffSecrets } from "./secret-handoff";
import { ActActionFields, actDraftOf, actInputOf, newActDraft, type ActDraft } from "./act-action-fields";
import { ACT_ACTION_KINDS, isActAction, type ActActionKind, type AutomationActionInput } from "@/agent/protocol/automations";

type TriggerKind = AutomationView["triggerKind"];
type ActionDraft =
  | { key: string; kind: "email"; id?: string; userIds: string[]; roles: string[]; addresses: string }
  | { key: string; kind: "slack" | "webhook"; id?: string; url: string; savedTarget?: string }
  | ActDraft;

const isAct = (a: ActionDraft): a is ActDraft => isActAction(a.kind);

const ROLE_OPTIONS = [
  { value: "owner", label: "Owners" },
  { value: "developer", label: "Developers" },
  { value: "runner", label: "Runners" },
  { value: "viewer", label: "Viewers" },
];

let nextKey = 0;
const newKey = () => `a${nextKey++}`;

function draftsOf(a: AutomationView | undefined): ActionDraft[] {
  if (!a) return [];
  return a.destinations.map((d): ActionDraft => {
    if (d.kind === "email") return { key: newKey(), kind: "email", id: d.id, userIds: d.recipients?.userIds ?? [], roles: d.recipients?.roles ?? [], addresses: (d.recipients?.addresses ?? []).join("\n") };
    if (d.kind === "slack" || d.kind === "webhook") return { key: newKey(), kind: d.kind, id: d.id, url: "", savedTarget: d.target };
    return actDraftOf(newKey(), { ...d, kind: d.kind });
  });
}

const splitList = (s: string) => s.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean);
const toNumber = (s: string) => (s.trim() === "" ? null : Number(s));

/** Create (no `automation`) or edit an automation. Server errors are shown at the field they name. */
export function AutomationForm({ slug, automation }: { slug: string; automation?: AutomationView }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.members.list.queryOptions({ workspace: slug }));
  const deployments = useQuery(trpc.deployments.list.queryOptions({ workspace: slug }));
  const flows = useQuery(trpc.deployments.flows.queryOptions({ workspace: slug }));

  const [name, setName] = useState(automation?.name ?? "");
  const [enabled, setEnabled] = useState(automation?.enabled ?? true);
  const [triggerKind, setTriggerKind] = useState<TriggerKind>(automation?.triggerKind ?? "run_state");
  const [states, setStates] = useState<string[]>(automation?.states ?? ["Failed", "Crashed"]);
  const [minutes, setMinutes] = useState(automation?.minutes != null ? String(automation.minutes) : "60");
  const [hours, setHours] = useState(automation?.hours != null ? String(automation.hours) : "24");
  const [flowIds, setFlowIds] = useState<string[]>(automation?.flowIds ?? []);
  const [deploymentIds, setDeploymentIds] = useState<string[]>(automation?.deploymentIds ?? []);
  const [tags, setTags] = useState((automation?.tags ?? []).join(", "));
  const [template, setTemplate] = useState(automation?.template ?? "");
  const [actions, setActions] = useState<ActionDraft[]>(() => draftsOf(automation));

  const onSaved = async (saved: { automation: AutomationView; newSecrets: { destinationId: string; target: string; secret: string }[] }) => {
    handOffSecrets(saved.automation.id, saved.newSecrets);
    await queryClient.invalidateQueries({ queryKey: trpc.automations.list.queryKey({ workspace: slug }) });
    queryClient.setQueryData(trpc.automations.get.queryKey({ workspace: slug, automationId: saved.automation.id }), saved.automation);
    router.push(`/w/${slug}/automations/${saved.automation.id}`);
  };
  const create = useMutation(trpc.automations.create.mutationOptions({ onSuccess: onSaved }));
  const update = useMutation(trpc.automations.update.mutationOptions({ onSuccess: onSaved }));
  const save = automation ? update : create;
  const fieldErrors = (save.error?.data as { fieldErrors?: Record<string, string[]> | null } | undefined)?.fieldErrors ?? null;
  const err = (field: string) => fieldErrors?.[field]?.join(" ");
  const templateProblem = template.trim() ? validateMessageTemplate(template) : null;

  const runTrigger = triggerKind === "run_state" || triggerKind === "running_longer";
  const filters = triggerKind !== "agent_offline";

  function submit(e: FormEvent) {
    e.preventDefault();
    const input = {
      workspace: slug,
      name,
      enabled,
      triggerKind,
      states: triggerKind === "run_state" ? states : [],
      minutes: triggerKind === "running_longer" ? toNumber(minutes) : null,
      hours: triggerKind === "no_success" ? toNumber(hours) : null,
      flowIds: filters ? flowIds : [],
      deploymentIds: filters ? deploymentIds : [],
      tags: filters ? splitList(tags) : [],
      template: template.trim() ? template : null,
      actions: actions.flatMap((a): AutomationActionInput[] => {
        if (isAct(a)) {
          const input = actInputOf(a);
          return input ? [input] : [];
        }
        if (a.kind === "email") return [{ kind: "email", id: a.id, userIds: a.userIds, roles: a.roles, addresses: splitList(a.addresses) }];
        return [{ kind: a.kind, id: a.id, url: a.url.trim() || (a.id ? "keep" : "") }];
      }),
    };
    // A parameter template that is not JSON, or a run without its deployment, is shown at its field; nothing is sent until it is fixed.
    const unchosen = actions.filter((a) => a.kind === "run_deployment" && !a.deploymentId).map((a) => a.key);
    setMissingDeployment(unchosen);
    if (input.actions.length !== actions.length || unchosen.length) return;
    if (automation) update.mutate({ ...input, automationId: automation.id });
    else create.mutate(input);
  }

  const patch = (key: string, change: Partial<ActionDraft>) => setActions((all) => all.map((a) => (a.key === key ? ({ ...a, ...change } as ActionDraft) : a)));
  const add = (kind: ActionDraft["kind"]) =>
    setActions((all) => [
      ...all,
      kind === "email" ? { key: newKey(), kind, userIds: [], roles: [], addresses: "" } : isActAction(kind) ? newActDraft(newKey(), kind) : { key: newKey(), kind, url: "" },
    ]);
  const [actKind, setActKind] = useState<ActActionKind>("run_deployment");
  const [missingDeployment, setMissingDeployment] = useState<string[]>([]);

  const previewEvent: AlertEventName =
    triggerKind === "run_state" ? ((states[0] as AlertEventName | undefined) ?? "Failed") : triggerKind === "running_longer" ? "RunningTooLong" : triggerKind === "no_success" ? "NoSuccess" : "AgentOffline";

  return (
    <form onSubmit={submit} noValidate aria-label={automation ? "Edit automation" : "New automation"} className="max-w-3xl">
      {save.isError && <div className="mb-4"><Alert>{fieldErrors ? "The automation was not saved: fix the fields marked below." : save.error.message}</Alert></div>}
      <Card title="Name">
        <div className="flex flex-col gap-3">
          <TextField id="automation-name" label="Name" value={name} onChange={(e) => setName(e.target.value)} error={err("name")} placeholder="Nightly ETL failed" />
          <Checkbox id="automation-enabled" checked={enabled} onChange={setEnabled}>
            Enabled (off: nothing is sent)
          </Checkbox>
        </div>
      </Card>

      <Card title="When">
        <fieldset className="mb-4 flex flex-col gap-1">
          <legend className="mb-1 font-medium text-slate-700">Trigger</legend>
          {(Object.keys(TRIGGER_LABELS) as TriggerKind[]).map((k) => (
            <label key={k} className="flex items-center gap-2">
              <input type="radio" name="trigger" value={k} checked={triggerKind === k} onChange={() => setTriggerKind(k)} className="h-4 w-4" />
              {TRIGGER_LABELS[k]}
            </label>
          ))}
        </fieldset>
        {triggerKind === "run_state" && (
          <fieldset aria-describedby={err("states") ? "states-error" : undefined} className="flex flex-col gap-1">
            <legend className="mb-1 font-medium text-slate-700">States</legend>
            <div className="flex flex-wrap gap-4">
              {RUN_EVENTS.map((s) => (
                <Checkbox key={s.name} id={`state-${s.name}`} checked={states.includes(s.name)} onChange={(on) => setStates((all) => (on ? [...all, s.name] : all.filter((x) => x !== s.name)))}>
                  {s.name}
                </Checkbox>
              ))}
            </div>
            <FieldError id="states-error" text={err("states")} />
          </fieldset>
        )}
        {triggerKind === "running_longer" && (
          <TextField id="minutes" label="Minutes" inputMode="numeric" value={minutes} onChange={(e) => setMinutes(e.target.value)} error={err("minutes")} hint="Alert once when a run has been Running this long (1 to 10080)." className="max-w-xs" />
        )}
        {triggerKind === "no_success" && (
          <TextField id="hours" label="Hours" inputMode="numeric" value={hours} onChange={(e) => setHours(e.target.value)} error={err("hours")} hint="Alert once per window when a chosen deployment has no Completed run in this many hours (1 to 720)." className="max-w-xs" />
        )}
        {triggerKind === "agent_offline" && <p className="text-slate-600">Alerts once when an agent that was online stops sending heartbeats.</p>}
      </Card>

      {filters && (
        <Card title={runTrigger ? "Filters (optional: none means any run)" : "Deployments to watch (choose deployments, or flows or tags that pick them)"}>
          <div className="flex flex-col gap-4">
            <CheckboxList legend="Flows" idPrefix="flow" error={err("flowIds")} empty="No flows yet." items={(flows.data ?? []).map((f) => ({ id: f.id, label: f.name }))} selected={flowIds} onChange={setFlowIds} />
            <CheckboxList
              legend="Deployments"
              idPrefix="deployment"
              error={err("deploymentIds")}
              empty="No deployments yet: deploy a flow first (baton deploy)."
              items={(deployments.data ?? []).map((d) => ({ id: d.id, label: `${d.flowName}/${d.name}` }))}
              selected={deploymentIds}
              onChange={setDeploymentIds}
            />
            <TextField id="tags" label="Tags" value={tags} onChange={(e) => setTags(e.target.value)} hint={`Comma-separated; a ${runTrigger ? "run" : "deployment"} with any of these tags matches.`} className="max-w-md" />
          </div>
        </Card>
      )}

      <Card title="Actions">
        <div className="flex flex-col gap-4">
          {actions.length === 0 && <p className="text-slate-600">Add where the alert goes (an email, a Slack channel or your own webhook), or what Baton should do: run a deployment, pause, cancel.</p>}
          {actions.map((a, i) => (
            <section key={a.key} aria-label={`Action ${i + 1}: ${DESTINATION_LABELS[a.kind]}`} className="rounded-md border border-slate-200 p-4">
              <div className="mb-3 flex items-center justify-between">
                <h3 className="font-semibold">
                  Action {i + 1}: {DESTINATION_LABELS[a.kind]}
                </h3>
                <Button variant="secondary" onClick={() => setActions((all) => all.filter((x) => x.key !== a.key))}>
                  Remove action {i + 1}
                </Button>
              </div>
              {isAct(a) ? (
                <ActActionFields slug={slug} draft={a} trigger={triggerKind} onChange={(change) => patch(a.key, change)} />
              ) : a.kind === "email" ? (
                <div className="flex flex-col gap-3">
                  <CheckboxList legend="Members" idPrefix={`${a.key}-member`} empty="No members." items={(members.data ?? []).map((m) => ({ id: m.userId, label: m.name ? `${m.name} (${m.email})` : m.email }))} selected={a.userIds} onChange={(userIds) => patch(a.key, { userIds })} />
                  <CheckboxList legend="Everyone with the role" idPrefix={`${a.key}-role`} items={ROLE_OPTIONS.map((r) => ({ id: r.value, label: r.label }))} selected={a.roles} onChange={(roles) => patch(a.key, { roles })} />
                  <div className="flex flex-col gap-1">
                    <label htmlFor={`${a.key}-addresses`} className="font-medium text-slate-700">
                      Other addresses
                    </label>
                    <textarea id={`${a.key}-addresses`} rows={2} value={a.addresses} onChange={(e) => patch(a.key, { addresses: e.target.value })} className="rounded-md border border-slate-300 px-2.5 py-1.5" placeholder="oncall@example.com" />
                    <p className="text-xs text-slate-500">One per line or comma-separated, at most 50.</p>
                  </div>
                </div>
              ) : (
                <TextField
                  id={`${a.key}-url`}
                  label={a.kind === "slack" ? "Slack webhook URL" : "Webhook URL"}
                  type="url"
                  value={a.url}
                  onChange={(e) => patch(a.key, { url: e.target.value })}
                  placeholder={a.savedTarget ? `Saved: ${a.savedTarget}` : a.kind === "slack" ? "https://hooks.slack.com/services/T…/B…/…" : "https://example.com/baton-alerts"}
                  hint={
                    a.savedTarget
                      ? "Leave empty to keep the saved URL; paste a new one to replace it."
                      : a.kind === "slack"
                        ? "In Slack, add the Incoming Webhooks app to a channel and paste its URL."
                        : "Receives a JSON POST signed with a Baton-Signature header; the signing secret is shown once after saving."
                  }
                />
              )}
              <FieldError id={`${a.key}-error`} text={err(`actions.${i}`) ?? (isAct(a) && !a.deploymentId && missingDeployment.includes(a.key) ? "Choose the deployment to run." : undefined)} />
            </section>
          ))}
          <FieldError id="actions-error" text={err("actions")} />
          <div className="flex flex-wrap gap-2">
            <Button variant="secondary" onClick={() => add("email")}>Add email</Button>
            <Button variant="secondary" onClick={() => add("slack")}>Add Slack</Button>
            <Button variant="secondary" onClick={() => add("webhook")}>Add webhook</Button>
          </div>
          <div className="flex flex-wrap items-end gap-2">
            <SelectField id="act-kind" label="Or an action that acts" value={actKind} onChange={(e) => setActKind(e.target.value as ActActionKind)}>
              {ACT_ACTION_KINDS.map((k) => (
                <option key={k} value={k}>
                  {DESTINATION_LABELS[k]}
                </option>
              ))}
            </SelectField>
            <Button variant="secondary" onClick={() => add(actKind)}>
              Add action
            </Button>
          </div>
        </div>
      </Card>

      <Card title="Message">
        <div className="flex flex-col gap-1">
          <label htmlFor="template" className="font-medium text-slate-700">
            Message template (optional)
          </label>
          <textarea
            id="template"
            rows={5}
            value={template}
            onChange={(e) => setTemplate(e.target.value)}
            placeholder={defaultTemplate(previewEvent)}
            aria-invalid={templateProblem || err("template") ? true : undefined}
            aria-describedby="template-hint"
            className="rounded-md border border-slate-300 px-2.5 py-1.5 font-mono text-sm aria-invalid:border-red-500"
          />
          <p id="template-hint" className="text-xs text-slate-500">Empty: the default message shown in grey. Write a variable as {"{{ run.name }}"}.</p>
          <FieldError id="template-error" text={err("template") ?? templateProblem ?? undefined} />
          <details className="mt-2 text-sm">
            <summary className="cursor-pointer text-slate-700">Variables</summary>
            <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
              {TEMPLATE_VARIABLES.map((v) => (
                <div key={v.name} className="contents">
                  <dt className="font-mono text-xs">{`{{ ${v.name} }}`}</dt>
                  <dd className="text-slate-600">{v.description}</dd>
                </div>
              ))}
            </dl>
          </details>
        </div>
      </Card>

      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending}>
          {automation ? "Save automation" : "Create automation"}
        </Button>
        <Link href={automation ? `/w/${slug}/automations/${automation.id}` : `/w/${slug}/automations`} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100">
          Cancel
        </Link>
      </div>
    </form>
  );
}

function Checkbox({ id, checked, onChange, children }: { id: string; checked: boolean; onChange: (on: boolean) => void; children: ReactNode }) {
  return (
    <div className="flex items-center gap-2">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} className="h-4 w-4" />
      <label htmlFor={id}>{children}</label>
    </div>
  );
}

function CheckboxList({ legend, idPrefix, items, selected, onChange, error, empty }: { legend: string; idPrefix: string; items: { id: string; label: string }[]; selected: string[]; onChange: (ids: string[]) => void; error?: string; empty?: string }) {
  const errorId = `${idPrefix}-error`;
  return (
    <fieldset aria-describedby={error ? errorId : undefined}>
      <legend className="mb-1 font-medium text-slate-700">{legend}</legend>
      {items.length === 0 ? (
        <p className="text-sm text-slate-500">{empty}</p>
      ) : (
        <div className="flex max-h-48 flex-col gap-1 overflow-y-auto">
          {items.map((item) => (
            <Checkbox key={item.id} id={`${idPrefix}-${item.id}`} checked={selected.includes(item.id)} onChange={(on) => onChange(on ? [...selected, item.id] : selected.filter((x) => x !== item.id))}>
              {item.label}
            </Checkbox>
          ))}
        </div>
      )}
      <FieldError id={errorId} text={error} />
    </fieldset>
  );
}

function FieldError({ id, text }: { id: string; text?: string }) {
  if (!text) return null;
  return (
    <p id={id} className="text-xs text-red-700">
      {text}
    </p>
  );
}
