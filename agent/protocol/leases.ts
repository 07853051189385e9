/**
 * The lease timings, shared by the server (claims, heartbeats, the reaper) and the agent and SDKs
 * (renewals, self-fencing), so the two sides cannot drift. docs/states.md ("Leases") states the
 * guarantee they give and why each number is what it is.
 */

/** How long one renewal (a claim, the RUNNING report, a heartbeat) holds a run: counted by the server from when it took the renewal, and by the agent from when it sent it. */
export const LEASE_SECONDS = 10;

/** How often an agent holding runs renews their leases: three renewals fit in one lease, so two in a row may fail or be slow. */
export const HEARTBEAT_SECONDS = 3;

/** How often an agent that holds no run heartbeats (only to show it online). */
export const IDLE_HEARTBEAT_SECONDS = 10;

/** A run's process whose lease ran out gets SIGTERM, then SIGKILL this much later. */
export const KILL_GRACE_SECONDS = 3;

/** Slack on top of the lease and the kill grace before another attempt may start: clock-rate drift and scheduling delay on the agent's machine. */
export const FENCE_MARGIN_SECONDS = 2;

/** How often the server looks for expired leases. */
export const REAPER_INTERVAL_SECONDS = 1;

/** An agent unseen for this long is shown offline. */
export const AGENT_OFFLINE_AFTER_SECONDS = 30;
