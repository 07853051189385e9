import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { currentUser } from "@/server/auth/current-user";
import { AuthCard } from "../_auth/auth-card";
import { CreateWorkspaceForm } from "./create-workspace-form";

export const metadata: Metadata = { title: "Create a workspace" };
export const dynamic = "force-dynamic";

export default async function OnboardingPage() {
  if (!(await currentUser())) redirect("/signin?callbackUrl=/onboarding");
  return (
    <AuthCard title="Name your workspace" footer={<Link href="/" className="text-sky-700 underline">Back</Link>}>
      <p className="mb-4 text-slate-600">A workspace holds your flows, deployments, runs and the people you work with.</p>
      <CreateWorkspaceForm />
    </AuthCard>
  );
}
