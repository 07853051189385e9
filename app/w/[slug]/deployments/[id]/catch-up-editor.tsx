"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { CatchUpPolicy, Deployment } from "@/agent/protocol/deployments";
import { Alert, Button, SelectField, TextField } from "@/app/_components/ui";
import { useTRPC } from "@/app/_trpc/provider";

const POLICY_TEXT: Record<CatchUpPolicy, string> = {
  latest: "latest: after missed slots only the newest run of each schedule runs; older ones are skipped",
  all: "all: every missed run runs, one after another",
  none: "none: a run that became Late is skipped",
};

type Unit = "minutes" | "hours" | "days";
const UNIT_SECONDS: Record<Unit, number> = { minutes: 60, hours: 3600, days: 86_400 };

export function describeLateness(seconds: number | null) {
  if (seconds === null) return "no limit";
  const unit = (["days", "hours", "minutes"] as Unit[]).find((u) => seconds % UNIT_SECONDS[u] === 0);
  if (!unit) return `${seconds} s`;
  const n = seconds / UNIT_SECONDS[unit];
  return `${n} ${n === 1 ? unit.slice(0, -1) : unit}`;
}

/** The deployment's catch-up policy and maximum lateness, and (for developers) a form to change them. */
export function CatchUpEditor({ slug, deployment, canEdit }: { slug: string; deployment: Deployment; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [policy, setPolicy] = useState<CatchUpPolicy>(deployment.catchUp);
  const initial = deployment.maxLatenessSeconds;
  const initialUnit = initial === null ? "hours" : ((["days", "hours", "minutes"] as Unit[]).find((u) => initial % UNIT_SECONDS[u] === 0) ?? "minutes");
  const [amount, setAmount] = useState(initial === null ? "" : String(initial / UNIT_SECONDS[initialUnit]));
  const [unit, setUnit] = useState<Unit>(initialUnit);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const save = useMutation(
    trpc.deployments.setCatchUp.mutationOptions({
      onSuccess: () => {
        setEditing(false);
        void queryClient.invalidateQueries();
      },
    }),
  );

  if (!editing) {
    return (
      <div className="flex flex-col gap-1">
        <span>{POLICY_TEXT[deployment.catchUp]}</span>
        <span className="text-slate-600">Max lateness: {describeLateness(deployment.maxLatenessSeconds)}</span>
        {canEdit && (
          <div>
            <Button variant="secondary" onClick={() => setEditing(true)}>
              Edit catch-up
            </Button>
          </div>
        )}
      </div>
    );
  }

  function submit() {
    setFieldError(undefined);
    let maxLatenessSeconds: number | null = null;
    if (amount.trim() !== "") {
      const n = Number(amount);
      if (!Number.isFinite(n) || n <= 0) {
        setFieldError("Enter a positive number, or leave it empty for no limit.");
        return;
      }
      maxLatenessSeconds = Math.round(n * UNIT_SECONDS[unit]);
    }
    save.mutate({ workspace: slug, deploymentId: deployment.id, catchUp: policy, maxLatenessSeconds });
  }

  return (
    <form
      className="flex flex-col gap-3"
      aria-label="Catch-up editor"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <SelectField label="Catch-up policy" id="catch-up-policy" value={policy} onChange={(e) => setPolicy(e.target.value as CatchUpPolicy)}>
        {(Object.keys(POLICY_TEXT) as CatchUpPolicy[]).map((p) => (
          <option key={p} value={p}>
            {POLICY_TEXT[p]}
          </option>
        ))}
      </SelectField>
      <div className="flex items-end gap-2">
        <TextField
          label="Max lateness"
          id="catch-up-max-lateness"
          inputMode="decimal"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          error={fieldError}
          hint="A scheduled run not started this long after its time is skipped. Empty: no limit."
        />
        <SelectField label="Max lateness unit" id="catch-up-max-lateness-unit" value={unit} onChange={(e) => setUnit(e.target.value as Unit)}>
          <option value="minutes">minutes</option>
          <option value="hours">hours</option>
          <option value="days">days</option>
        </SelectField>
      </div>
      {save.isError && <Alert>{save.error.message}</Alert>}
      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending}>
          Save catch-up
        </Button>
        <Button variant="secondary" onClick={() => setEditing(false)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
