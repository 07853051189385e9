import "server-only";
import { auth } from "./config";

export type RequestSession = { userId: string; sessionId: string };

/**
 * The signed-in user of the current request from the Auth.js JWT cookie, or null. The jwt callback
 * has already checked the user_sessions row (signed out, revoked or expired sessions give null).
 * Shared by the tRPC context and the live event stream, so both authenticate the same way.
 */
export async function requestSession(): Promise<RequestSession | null> {
  const session = await auth();
  const userId = session?.user?.id;
  const sessionId = (session as { sid?: string } | null)?.sid;
  return userId && sessionId ? { userId, sessionId } : null;
}
