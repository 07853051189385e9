import { notFound, redirect } from "next/navigation";
import type { ReactNode } from "react";
import { signOutAction } from "@/app/_actions/auth";
import { currentUser } from "@/server/auth/current-user";
import { billingBanner } from "@/server/billing/billing-overview";
import { getDb } from "@/server/db/client";
import { AppError } from "@/server/errors";
import { listWorkspacesForUser, resolveWorkspaceAccess } from "@/server/workspaces/workspace-access";
import { BillingBanner } from "./_shell/billing-banner";
import { SideNav } from "./_shell/side-nav";
import { VerifyBanner } from "./_shell/verify-banner";
import { WorkspaceSwitcher } from "./_shell/workspace-switcher";

export const dynamic = "force-dynamic";

export default async function WorkspaceLayout({ children, params }: { children: ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const user = await currentUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(`/w/${slug}`)}`);
  const db = getDb();
  const access = await resolveWorkspaceAccess(db, slug, user.id).catch((err) => {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  });
  const workspaces = await listWorkspacesForUser(db, user.id);
  const banner = await billingBanner(db, access.workspace.id);
  return (
    <div className="flex min-h-screen flex-col">
      <header className="flex items-center gap-4 border-b border-slate-200 bg-white px-4 py-2">
        <a href="/" className="font-semibold tracking-tight">Baton</a>
        <WorkspaceSwitcher current={access.workspace.slug} workspaces={workspaces.map((w) => ({ slug: w.slug, name: w.name }))} />
        <span className="text-xs text-slate-500">
          Your role: <span className="font-medium text-slate-700">{access.role}</span>
        </span>
        <div className="ml-auto flex items-center gap-3">
          <span className="text-slate-600" aria-label="Signed in as">{user.email}</span>
          <form action={signOutAction}>
            <button type="submit" className="rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-100">
              Sign out
            </button>
          </form>
        </div>
      </header>
      {!user.emailVerified && <VerifyBanner email={user.email} />}
      {banner && <BillingBanner banner={banner} slug={access.workspace.slug} isOwner={access.role === "owner"} />}
      <div className="flex flex-1">
        <SideNav slug={access.workspace.slug} />
        <main className="flex-1 px-8 py-6">{children}</main>
      </div>
    </div>
  );
}
