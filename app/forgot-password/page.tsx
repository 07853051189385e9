import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "../_auth/auth-card";
import { ForgotForm } from "./forgot-form";

export const metadata: Metadata = { title: "Reset your password" };

export default function ForgotPasswordPage() {
  return (
    <AuthCard title="Reset your password" footer={<Link href="/signin" className="text-sky-700 underline">Back to sign in</Link>}>
      <ForgotForm />
    </AuthCard>
  );
}
