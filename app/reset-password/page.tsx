import type { Metadata } from "next";
import Link from "next/link";
import { Alert } from "../_components/ui";
import { AuthCard } from "../_auth/auth-card";
import { ResetForm } from "./reset-form";

export const metadata: Metadata = { title: "Set a new password" };
export const dynamic = "force-dynamic";

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  return (
    <AuthCard title="Set a new password" footer={<Link href="/signin" className="text-sky-700 underline">Back to sign in</Link>}>
      {token ? <ResetForm token={token} /> : <Alert>This link has no reset token. Ask for a new link from “Forgot password?”.</Alert>}
    </AuthCard>
  );
}
