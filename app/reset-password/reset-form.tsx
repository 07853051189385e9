"use client";

import { useActionState } from "react";
import { resetPasswordAction, type FormState } from "../_actions/auth";
import { Alert, TextField } from "../_components/ui";
import { SubmitButton } from "../_auth/submit-button";

export function ResetForm({ token }: { token: string }) {
  const [state, action] = useActionState<FormState, FormData>(resetPasswordAction, {});
  return (
    <form action={action} className="flex flex-col gap-4">
      {state.error && <Alert>{state.error}</Alert>}
      <input type="hidden" name="token" value={token} />
      <TextField id="password" name="password" type="password" label="New password" autoComplete="new-password" required minLength={10} hint="At least 10 characters. Every other signed-in browser will be signed out." />
      <SubmitButton pendingText="Saving…">Set new password</SubmitButton>
    </form>
  );
}
