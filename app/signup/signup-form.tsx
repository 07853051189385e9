"use client";

import Link from "next/link";
import { useActionState } from "react";
import { signUpAction, type FormState } from "../_actions/auth";
import { Alert, TextField } from "../_components/ui";
import { SubmitButton } from "../_auth/submit-button";

export function SignUpForm({ callbackUrl, defaultEmail }: { callbackUrl: string; defaultEmail?: string }) {
  const [state, action] = useActionState<FormState, FormData>(signUpAction, {});
  const fe = state.fieldErrors ?? {};
  if (state.message) {
    return (
      <div className="flex flex-col gap-4">
        <Alert tone="success">{state.message}</Alert>
        <Link href={`/signin${callbackUrl !== "/" ? `?callbackUrl=${encodeURIComponent(callbackUrl)}` : ""}`} className="text-sky-700 underline">
          Continue to sign in
        </Link>
      </div>
    );
  }
  return (
    <form action={action} className="flex flex-col gap-4">
      {state.error && <Alert>{state.error}</Alert>}
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <TextField id="name" name="name" label="Your name" autoComplete="name" error={fe.name?.[0]} />
      <TextField id="email" name="email" type="email" label="Email" autoComplete="email" required defaultValue={defaultEmail} error={fe.email?.[0]} />
      <TextField id="password" name="password" type="password" label="Password" autoComplete="new-password" required minLength={10} hint="At least 10 characters." error={fe.password?.[0]} />
      <SubmitButton pendingText="Creating account…">Create account</SubmitButton>
    </form>
  );
}
