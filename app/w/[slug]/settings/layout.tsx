import type { ReactNode } from "react";
import { currentUser } from "@/server/auth/current-user";
import { billingEnabled } from "@/server/billing/plans";
import { getDb } from "@/server/db/client";
import { resolveWorkspaceAccess } from "@/server/workspaces/workspace-access";
import { SettingsNav } from "./settings-nav";

async function showsBilling(slug: string) {
  if (!billingEnabled()) return false;
  const user = await currentUser();
  if (!user) return false;
  const access = await resolveWorkspaceAccess(getDb(), slug, user.id).catch(() => null);
  return access?.role === "owner";
}

export default async function SettingsLayout({ children, params }: { children: ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return (
    <div className="max-w-5xl">
      <SettingsNav slug={slug} billing={await showsBilling(slug)} />
      {children}
    </div>
  );
}
