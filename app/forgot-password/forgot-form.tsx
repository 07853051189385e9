"use client";

import { useActionState } from "react";
import { requestResetAction, type FormState } from "../_actions/auth";
import { Alert, TextField } from "../_components/ui";
import { SubmitButton } from "../_auth/submit-button";

export function ForgotForm() {
  const [state, action] = useActionState<FormState, FormData>(requestResetAction, {});
  if (state.message) return <Alert tone="success">{state.message}</Alert>;
  return (
    <form action={action} className="flex flex-col gap-4">
      {state.error && <Alert>{state.error}</Alert>}
      <p className="text-slate-600">Enter your account's email and we will send you a link to set a new password.</p>
      <TextField id="email" name="email" type="email" label="Email" autoComplete="email" required error={state.fieldErrors?.email?.[0]} />
      <SubmitButton pendingText="Sending…">Send reset link</SubmitButton>
    </form>
  );
}
