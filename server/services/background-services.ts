import type { Db } from "../db/client";
import { env } from "../env";
import { deliverDueEmails } from "../email/deliver-emails";
import { deleteExpiredRateLimitBuckets } from "../security/rate-limit";
import { startLeaderLoops, type LoopSpec } from "./leader-loop";

/** Advisory lock keys, one per loop; fixed so every instance competes for the same ones. */
export const SERVICE_LOCKS = { mailer: 727_101, housekeeping: 727_102 } as const;

export function startBackgroundServices(db: Db, databaseUrl: string) {
  const loops: LoopSpec[] = [
    { name: "housekeeping", lockKey: SERVICE_LOCKS.housekeeping, intervalMs: 10 * 60_000, task: () => deleteExpiredRateLimitBuckets(db) },
  ];
  if (env().RESEND_API_KEY) {
    loops.push({ name: "mailer", lockKey: SERVICE_LOCKS.mailer, intervalMs: 2_000, task: async () => void (await deliverDueEmails(db, { limit: 50 })) });
  }
  return startLeaderLoops(databaseUrl, loops);
}
