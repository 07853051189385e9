import "server-only";
import { isLocalRequest } from "@/server/http/local-request";

/** Whose mail the dev mailbox shows to this request: everyone's, one address's, or none. */
export type MailboxScope = { kind: "all" } | { kind: "to"; email: string } | { kind: "none" };

/**
 * The mailbox holds reset links, so it is an account key. A signed-in person sees the mail addressed
 * to them. Someone not signed in (reading a reset or invitation mail on a laptop) sees every mail
 * only on the machine Baton runs on (see markLocalRequest). Everyone else sees nothing.
 */
export function mailboxScope(headers: Headers, user: { email: string } | null): MailboxScope {
  if (user) return { kind: "to", email: user.email };
  return isLocalRequest(headers) ? { kind: "all" } : { kind: "none" };
}
