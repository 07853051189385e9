import { redirect } from "next/navigation";
import { currentUser } from "@/server/auth/current-user";
import { getDb } from "@/server/db/client";
import { listWorkspacesForUser } from "@/server/workspaces/workspace-access";

export const dynamic = "force-dynamic";

/** Signed out → sign in; no workspace yet → onboarding; otherwise the first workspace. */
export default async function Home() {
  const user = await currentUser();
  if (!user) redirect("/signin");
  const workspaces = await listWorkspacesForUser(getDb(), user.id);
  redirect(workspaces[0] ? `/w/${workspaces[0].slug}` : "/onboarding");
}
