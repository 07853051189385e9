import type { Metadata } from "next";
import Link from "next/link";
import { verifyEmail } from "@/server/accounts/verify-email";
import { getDb } from "@/server/db/client";
import { Alert } from "../_components/ui";
import { AuthCard } from "../_auth/auth-card";

export const metadata: Metadata = { title: "Verify your email" };
export const dynamic = "force-dynamic";

export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  const email = token ? await verifyEmail(getDb(), token) : null;
  return (
    <AuthCard title="Verify your email">
      {email ? (
        <div className="flex flex-col gap-4">
          <Alert tone="success">{email} is verified. Thank you.</Alert>
          <Link href="/" className="text-sky-700 underline">Continue to Baton</Link>
        </div>
      ) : (
        <Alert>
          This verification link is invalid, used or expired. Sign in and use “Resend email” in the banner to get a new one.
        </Alert>
      )}
    </AuthCard>
  );
}
