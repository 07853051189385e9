import "server-only";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import Google from "next-auth/providers/google";
import { eq, sql } from "drizzle-orm";
import { getDb } from "../db/client";
import { users } from "../db/schema";
import { env } from "../env";
import { verifyCredentials } from "../accounts/verify-credentials";
import { activeSessionUser, createUserSession, revokeUserSession, SESSION_MAX_AGE_SECONDS } from "./user-sessions";
import { clientIp } from "../security/client-ip";
import { safeRedirectPath } from "../security/safe-redirect";
import { personNameSchema } from "../email/display-name";

/** Carries the minutes left in the code, so the form can say "try again in N minutes". */
class RateLimitedSignIn extends CredentialsSignin {
  constructor(retryAfterSeconds: number) {
    super();
    this.code = `rate_limited_${Math.max(1, Math.ceil(retryAfterSeconds / 60))}`;
  }
}

export function oauthProviders() {
  const e = env();
  return {
    github: Boolean(e.AUTH_GITHUB_ID && e.AUTH_GITHUB_SECRET),
    google: Boolean(e.AUTH_GOOGLE_ID && e.AUTH_GOOGLE_SECRET),
  };
}

function buildConfig(): NextAuthConfig {
  const enabled = oauthProviders();
  const production = env().NODE_ENV === "production";
  return {
    trustHost: true,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/signin", error: "/signin" },
    // A wrong password is an answer, not a server error: keep it out of the error log.
    logger: { error: (error) => void ((error as { type?: string }).type === "CredentialsSignin" || console.error("[auth]", error)) },
    useSecureCookies: production && (env().BATON_PUBLIC_URL ?? "").startsWith("https://"),
    providers: [
      Credentials({
        credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request) {
          const email = typeof credentials.email === "string" ? credentials.email : "";
          const password = typeof credentials.password === "string" ? credentials.password : "";
          if (!email || !password) return null;
          const result = await verifyCredentials(getDb(), email, password, clientIp(request.headers));
          if (result.ok) return { id: result.user.id, email: result.user.email, name: result.user.name };
          if (result.reason === "rate_limited") throw new RateLimitedSignIn(result.retryAfterSeconds);
          return null;
        },
      }),
      ...(enabled.github ? [GitHub({ clientId: env().AUTH_GITHUB_ID, clientSecret: env().AUTH_GITHUB_SECRET })] : []),
      ...(enabled.google ? [Google({ clientId: env().AUTH_GOOGLE_ID, clientSecret: env().AUTH_GOOGLE_SECRET })] : []),
    ],
    callbacks: {
      // Auth.js's own check lets "/\\evil.example" through as a path: use ours for its redirects too.
      redirect({ url, baseUrl }) {
        const path = url.startsWith(baseUrl) ? url.slice(baseUrl.length) || "/" : url;
        return `${baseUrl}${safeRedirectPath(path)}`;
      },
      async jwt({ token, user, account }) {
        const db = getDb();
        if (user && account) {
          // Sign-in: resolve our user (OAuth accounts are matched by verified email) and open a session row.
          const userId = account.provider === "credentials" ? user.id! : await upsertOAuthUser(user.email, user.name);
          if (!userId) return null;
          const sid = await createUserSession(db, userId, {});
          return { ...token, uid: userId, sid };
        }
        const sid = typeof token.sid === "string" ? token.sid : "";
        const uid = sid ? await activeSessionUser(db, sid) : null;
        if (!uid || uid !== token.uid) return null;
        return token;
      },
      session({ session, token }) {
        return { ...session, sid: token.sid as string, user: { ...session.user, id: token.uid as string } };
      },
    },
    events: {
      async signOut(message) {
        const token = "token" in message ? message.token : null;
        if (token && typeof token.sid === "string") await revokeUserSession(getDb(), token.sid);
      },
    },
  };
}

async function upsertOAuthUser(email: string | null | undefined, name: string | null | undefined): Promise<string | null> {
  if (!email) return null;
  const db = getDb();
  const normalized = email.trim().toLowerCase();
  const [row] = await db
    .insert(users)
    .values({ email: normalized, name: personNameSchema.safeParse(name).data || null, emailVerifiedAt: new Date() })
    .onConflictDoUpdate({ target: users.email, set: { emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` } })
    .returning({ id: users.id });
  return row?.id ?? (await db.select({ id: users.id }).from(users).where(eq(users.email, normalized)))[0]?.id ?? null;
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => buildConfig());
