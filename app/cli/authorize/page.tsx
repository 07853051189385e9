import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { currentUser } from "@/server/auth/current-user";
import { getDb } from "@/server/db/client";
import { listWorkspacesForUser } from "@/server/workspaces/workspace-access";
import { canGrantKeyRole } from "@/server/api-keys/manage-api-keys";
import { API_KEY_ROLES } from "@/server/db/schema";
import { defaultCliKeyRole } from "@/server/device-auth/decide-device-authorization";
import { EmptyState, PageHeader } from "../../_components/ui";
import { AuthorizeForm } from "./authorize-form";

export const metadata: Metadata = { title: "Authorize the Baton CLI" };
export const dynamic = "force-dynamic";

/**
 * Where `baton login` sends people: type the code the terminal shows and approve it into one of
 * your workspaces. A `?code=` in the link is ignored on purpose: a link that fills the code in
 * makes approving a stranger's login one click (phishing).
 */
export default async function CliAuthorizePage() {
  const user = await currentUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent("/cli/authorize")}`);
  const workspaces = await listWorkspacesForUser(getDb(), user.id);
  return (
    <main className="mx-auto flex min-h-screen max-w-xl flex-col px-4 py-10">
      <Link href="/" className="mb-6 text-lg font-semibold tracking-tight">
        Baton
      </Link>
      <PageHeader
        title="Authorize the Baton CLI"
        description={
          <>
            A <code className="rounded bg-slate-100 px-1 font-mono text-xs">baton login</code> asks for access. Type the code your terminal shows; approve only
            if you started that login yourself, just now, on that computer.
          </>
        }
      />
      <p className="mb-4 text-slate-600">
        Signed in as <span className="font-medium text-slate-800">{user.email}</span>.
      </p>
      {workspaces.length === 0 ? (
        <EmptyState title="You are not in a workspace yet">
          The CLI gets a key for one of your workspaces.{" "}
          <Link href="/onboarding" className="text-sky-700 underline">
            Create a workspace
          </Link>
          , then open this page again from your terminal.
        </EmptyState>
      ) : (
        <AuthorizeForm
          workspaces={workspaces.map((w) => ({
            slug: w.slug,
            name: w.name,
            role: w.role,
            keyRoles: API_KEY_ROLES.filter((r) => canGrantKeyRole(w.role, r)),
            defaultKeyRole: defaultCliKeyRole(w.role),
          }))}
        />
      )}
    </main>
  );
}
