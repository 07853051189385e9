import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { currentUser } from "@/server/auth/current-user";
import { getDb } from "@/server/db/client";
import { listWorkspacesForUser } from "@/server/workspaces/workspace-access";
import { EmptyState, PageHeader } from "../../_components/ui";
import { AuthorizeForm } from "./authorize-form";

export const metadata: Metadata = { title: "Authorize the Baton CLI" };
export const dynamic = "force-dynamic";

/** Where `baton login` sends people: approve a user code into one of your workspaces. */
export default async function CliAuthorizePage({ searchParams }: { searchParams: Promise<{ code?: string | string[] }> }) {
  const q = await searchParams;
  const code = typeof q.code === "string" ? q.code.slice(0, 32) : "";
  const user = await currentUser();
  if (!user) {
    const here = code ? `/cli/authorize?code=${encodeURIComponent(code)}` : "/cli/authorize";
    redirect(`/signin?callbackUrl=${encodeURIComponent(here)}`);
  }
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
            A <code className="rounded bg-slate-100 px-1 font-mono text-xs">baton login</code> is asking for access. Approve only if you started it and the code
            matches the one in your terminal.
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
        <AuthorizeForm initialCode={code} workspaces={workspaces.map((w) => ({ slug: w.slug, name: w.name, role: w.role }))} />
      )}
    </main>
  );
}
