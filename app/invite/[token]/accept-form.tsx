"use client";

import { useActionState } from "react";
import { acceptInvitationAction, type FormState } from "../../_actions/auth";
import { Alert } from "../../_components/ui";
import { SubmitButton } from "../../_auth/submit-button";

export function AcceptForm({ token }: { token: string }) {
  const [state, action] = useActionState<FormState, FormData>(acceptInvitationAction, {});
  return (
    <form action={action} className="flex flex-col gap-4">
      {state.error && <Alert>{state.error}</Alert>}
      <input type="hidden" name="token" value={token} />
      <SubmitButton pendingText="Joining…">Accept invitation</SubmitButton>
    </form>
  );
}
