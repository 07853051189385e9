"use client";

import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/provider";

export function VerifyBanner({ email }: { email: string }) {
  const trpc = useTRPC();
  const resend = useMutation(trpc.account.resendVerification.mutationOptions());
  return (
    <div role="status" className="flex items-center gap-3 border-b border-amber-200 bg-amber-50 px-4 py-2 text-amber-900">
      <span>
        Please verify your email address: we sent a link to <strong>{email}</strong>.
      </span>
      <button type="button" onClick={() => resend.mutate()} disabled={resend.isPending || resend.isSuccess} className="underline disabled:no-underline">
        {resend.isSuccess ? "Sent: check your inbox" : "Resend email"}
      </button>
      {resend.error && <span className="text-red-700">{resend.error.message}</span>}
    </div>
  );
}
