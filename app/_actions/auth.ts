"use server";

import { AuthError } from "next-auth";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { ZodError, z } from "zod";
import { requestPasswordReset, resetPassword } from "@/server/accounts/password-reset";
import { signUp } from "@/server/accounts/sign-up";
import { signIn, signOut } from "@/server/auth/config";
import { currentUser } from "@/server/auth/current-user";
import { getDb } from "@/server/db/client";
import { AppError } from "@/server/errors";
import { acceptInvitation } from "@/server/invitations/invitations";
import { clientIp } from "@/server/security/client-ip";
import { safeRedirectPath } from "@/server/security/safe-redirect";

export type FormState = { error?: string; fieldErrors?: Record<string, string[] | undefined>; message?: string };

function formError(err: unknown): FormState {
  if (err instanceof AppError) return { error: err.message };
  if (err instanceof ZodError) {
    const flat = z.flattenError(err);
    return { error: flat.formErrors.join(" ") || "Please fix the fields marked below.", fieldErrors: flat.fieldErrors as FormState["fieldErrors"] };
  }
  throw err;
}

async function ip() {
  return clientIp(await headers());
}

export async function signInAction(_prev: FormState, form: FormData): Promise<FormState> {
  try {
    await signIn("credentials", { email: form.get("email"), password: form.get("password"), redirectTo: safeRedirectPath(form.get("callbackUrl")) });
  } catch (err) {
    if (err instanceof AuthError) {
      const code = (err as AuthError & { code?: string }).code ?? "";
      const minutes = /^rate_limited_(\d+)$/.exec(code)?.[1];
      if (minutes) return { error: `Too many sign-in attempts. Try again in ${minutes} minute${minutes === "1" ? "" : "s"}.` };
      return { error: "That email and password don't match an account. Check them, or reset your password." };
    }
    throw err;
  }
  return {};
}

/**
 * The same answer whether the address is new or already has an account (whose holder is mailed
 * instead), so nobody is signed in here: signing in would tell the two apart.
 */
export async function signUpAction(_prev: FormState, form: FormData): Promise<FormState> {
  try {
    const { email } = await signUp(getDb(), { name: String(form.get("name") ?? ""), email: String(form.get("email") ?? ""), password: String(form.get("password") ?? "") }, await ip());
    return { message: `We sent a message to ${email}. Open the link in it to confirm your address, then sign in.` };
  } catch (err) {
    return formError(err);
  }
}

export async function signOutAction() {
  await signOut({ redirectTo: "/signin" });
}

export async function requestResetAction(_prev: FormState, form: FormData): Promise<FormState> {
  try {
    await requestPasswordReset(getDb(), String(form.get("email") ?? ""), await ip());
  } catch (err) {
    return formError(err);
  }
  return { message: "If an account exists for that address, we sent it a reset link. It works once, for one hour." };
}

export async function resetPasswordAction(_prev: FormState, form: FormData): Promise<FormState> {
  try {
    await resetPassword(getDb(), String(form.get("token") ?? ""), String(form.get("password") ?? ""));
  } catch (err) {
    return formError(err);
  }
  redirect("/signin?reset=1");
}

export async function acceptInvitationAction(_prev: FormState, form: FormData): Promise<FormState> {
  const user = await currentUser();
  const token = String(form.get("token") ?? "");
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(`/invite/${token}`)}`);
  let slug: string;
  try {
    ({ slug } = await acceptInvitation(getDb(), token, user, await ip()));
  } catch (err) {
    return formError(err);
  }
  redirect(`/w/${slug}`);
}
