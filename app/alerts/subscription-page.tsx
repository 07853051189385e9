import { redirect } from "next/navigation";
import { confirmAlertAddress, unsubscribeAlertAddress } from "@/server/alerts/alert-email-subscriptions";
import { getDb } from "@/server/db/client";
import { Alert, Button } from "../_components/ui";
import { AuthCard } from "../_auth/auth-card";

type Action = "confirm" | "unsubscribe";

const COPY = {
  confirm: { title: "Receive Baton alerts?", button: "Confirm: send me these alerts", done: "Confirmed: this address now receives the workspace's alerts. Every alert has a link to unsubscribe." },
  unsubscribe: { title: "Unsubscribe from Baton alerts", button: "Unsubscribe", done: "Unsubscribed: this address receives no more alerts from the workspace." },
};

/**
 * The page behind the links of alert mail to external addresses. Opening the link only shows a
 * button: mail scanners that fetch every link must not confirm (or unsubscribe) on the reader's behalf.
 */
export async function SubscriptionPage({ action, searchParams }: { action: Action; searchParams: Promise<{ token?: string; done?: string }> }) {
  const { token, done } = await searchParams;
  const copy = COPY[action];
  async function act(form: FormData) {
    "use server";
    const t = String(form.get("token") ?? "");
    const outcome = action === "confirm" ? await confirmAlertAddress(getDb(), t) : await unsubscribeAlertAddress(getDb(), t);
    // Only "ok" travels in the URL: a link with made-up text must not show it on Baton's domain.
    redirect(`/alerts/${action}?done=${outcome ? "ok" : "invalid"}`);
  }
  if (done !== undefined) {
    return (
      <AuthCard title={copy.title}>
        {done === "ok" ? (
          <Alert tone="success">{copy.done}</Alert>
        ) : (
          <Alert>
            {action === "confirm"
              ? "This confirmation link is not valid, or the address unsubscribed. Ask the workspace to add the address again."
              : "This unsubscribe link is not valid. Check you copied it whole."}
          </Alert>
        )}
      </AuthCard>
    );
  }
  return (
    <AuthCard title={copy.title}>
      <form action={act} className="flex flex-col gap-4">
        <input type="hidden" name="token" value={token ?? ""} />
        <Button type="submit">{copy.button}</Button>
      </form>
    </AuthCard>
  );
}
