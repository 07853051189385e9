import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { currentUser } from "@/server/auth/current-user";
import { safeRedirectPath } from "@/server/security/safe-redirect";
import { AuthCard } from "../_auth/auth-card";
import { SignUpForm } from "./signup-form";

export const metadata: Metadata = { title: "Create an account" };
export const dynamic = "force-dynamic";

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; email?: string }> }) {
  const q = await searchParams;
  const callbackUrl = safeRedirectPath(q.callbackUrl);
  if (await currentUser()) redirect(callbackUrl);
  return (
    <AuthCard
      title="Create your Baton account"
      footer={
        <>
          Have an account?{" "}
          <Link href={`/signin${callbackUrl !== "/" ? `?callbackUrl=${encodeURIComponent(callbackUrl)}` : ""}`} className="text-sky-700 underline">
            Sign in
          </Link>
        </>
      }
    >
      <SignUpForm callbackUrl={callbackUrl} defaultEmail={q.email} />
    </AuthCard>
  );
}
