"use client";

import Link from "next/link";
import { useActionState } from "react";
import { signInAction, type FormState } from "../_actions/auth";
import { Alert, TextField } from "../_components/ui";
import { SubmitButton } from "../_auth/submit-button";

export function SignInForm({ callbackUrl, defaultEmail }: { callbackUrl: string; defaultEmail?: string }) {
  const [state, action] = useActionState<FormState, FormData>(signInAction, {});
  return (
    <form action={action} className="flex flex-col gap-4">
      {state.error && <Alert>{state.error}</Alert>}
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <TextField id="email" name="email" type="email" label="Email" autoComplete="email" required defaultValue={defaultEmail} />
      <TextField id="password" name="password" type="password" label="Password" autoComplete="current-password" required />
      <SubmitButton pendingText="Signing in…">Sign in</SubmitButton>
      <Link href="/forgot-password" className="text-sky-700 underline">
        Forgot password?
      </Link>
    </form>
  );
}
