import type { Metadata } from "next";
import Link from "next/link";
import { currentUser } from "@/server/auth/current-user";
import { getDb } from "@/server/db/client";
import { describeInvitation } from "@/server/invitations/invitations";
import { Alert } from "../../_components/ui";
import { AuthCard } from "../../_auth/auth-card";
import { AcceptForm } from "./accept-form";

export const metadata: Metadata = { title: "Invitation" };
export const dynamic = "force-dynamic";

const PROBLEMS = {
  invalid: "This invitation link is not valid. Check you copied it whole, or ask for a new invitation.",
  used: "This invitation was already accepted. Sign in to reach the workspace.",
  revoked: "This invitation was withdrawn. Ask an owner of the workspace for a new one.",
  expired: "This invitation has expired (they last 7 days). Ask an owner of the workspace for a new one.",
};

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await describeInvitation(getDb(), token);
  if (invitation.status !== "pending") {
    return (
      <AuthCard title="Invitation">
        <Alert>{PROBLEMS[invitation.status]}</Alert>
      </AuthCard>
    );
  }
  const user = await currentUser();
  const here = `/invite/${encodeURIComponent(token)}`;
  return (
    <AuthCard title={`Join ${invitation.workspaceName}`}>
      <div className="flex flex-col gap-4">
        <p>
          You are invited to <strong>{invitation.workspaceName}</strong> on Baton as a <strong>{invitation.role}</strong>.
        </p>
        {user ? (
          <>
            {user.email !== invitation.email && (
              <Alert tone="info">
                The invitation was sent to {invitation.email}; you are signed in as {user.email}. Accepting adds {user.email}.
              </Alert>
            )}
            <AcceptForm token={token} />
          </>
        ) : (
          <div className="flex flex-col gap-2">
            <Link
              href={`/signup?callbackUrl=${encodeURIComponent(here)}&email=${encodeURIComponent(invitation.email)}`}
              className="rounded-md bg-slate-900 px-3 py-1.5 text-center font-medium text-white hover:bg-slate-700"
            >
              Create an account to join
            </Link>
            <Link href={`/signin?callbackUrl=${encodeURIComponent(here)}&email=${encodeURIComponent(invitation.email)}`} className="text-center text-sky-700 underline">
              I already have an account: sign in
            </Link>
          </div>
        )}
      </div>
    </AuthCard>
  );
}
