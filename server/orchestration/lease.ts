/** How long a claim or heartbeat keeps a run; agents heartbeat every ~10 s. */
export const LEASE_SECONDS = 30;
