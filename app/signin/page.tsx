import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { signIn, oauthProviders } from "@/server/auth/config";
import { currentUser } from "@/server/auth/current-user";
import { safeRedirectPath } from "@/server/security/safe-redirect";
import { Alert, Button } from "../_components/ui";
import { AuthCard } from "../_auth/auth-card";
import { SignInForm } from "./signin-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

type Search = { callbackUrl?: string; reset?: string; verified?: string; email?: string; error?: string };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Search> }) {
  const q = await searchParams;
  const callbackUrl = safeRedirectPath(q.callbackUrl);
  if (await currentUser()) redirect(callbackUrl);
  const oauth = oauthProviders();
  return (
    <AuthCard
      title="Sign in to Baton"
      footer={
        <>
          New here?{" "}
          <Link href={`/signup${callbackUrl !== "/" ? `?callbackUrl=${encodeURIComponent(callbackUrl)}` : ""}`} className="text-sky-700 underline">
            Create an account
          </Link>
        </>
      }
    >
      <div className="flex flex-col gap-4">
        {q.reset && <Alert tone="success">Your password was changed. Sign in with the new one.</Alert>}
        {q.verified && <Alert tone="success">Your email address is verified.</Alert>}
        {q.error && q.error !== "CredentialsSignin" && <Alert>Sign-in failed ({q.error}). Try again.</Alert>}
        <SignInForm callbackUrl={callbackUrl} defaultEmail={q.email} />
        {(oauth.github || oauth.google) && (
          <div className="flex flex-col gap-2 border-t border-slate-200 pt-4">
            {oauth.github && (
              <form action={async () => { "use server"; await signIn("github", { redirectTo: callbackUrl }); }}>
                <Button type="submit" variant="secondary" className="w-full">Continue with GitHub</Button>
              </form>
            )}
            {oauth.google && (
              <form action={async () => { "use server"; await signIn("google", { redirectTo: callbackUrl }); }}>
                <Button type="submit" variant="secondary" className="w-full">Continue with Google</Button>
              </form>
            )}
          </div>
        )}
      </div>
    </AuthCard>
  );
}
