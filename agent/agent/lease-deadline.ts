import { LEASE_SECONDS } from "../protocol/leases";
import { ApiError, UnreachableError } from "../client/api-client";

/**
 * A moment on this machine, on two clocks: the monotonic one (CLOCK_MONOTONIC, the same for every
 * process here, immune to clock steps) and the wall clock (which keeps counting while the machine
 * sleeps, where the monotonic one stops). A lease deadline has passed when either says so.
 */
export type Instant = { mono: bigint; wall: number };

export const now = (): Instant => ({ mono: process.hrtime.bigint(), wall: Date.now() });

/** The end of a lease renewed by a request sent at `sent`: the server counts from when it took the request, which is later. */
export const leaseEnd = (sent: Instant): Instant => ({ mono: sent.mono + BigInt(LEASE_SECONDS * 1e9), wall: sent.wall + LEASE_SECONDS * 1000 });

export const passed = (d: Instant, at: Instant = now()) => at.mono >= d.mono || at.wall >= d.wall;

export const later = (a: Instant, b: Instant): Instant => (b.mono > a.mono ? b : a);

export const msUntil = (d: Instant) => Math.max(0, Math.min(Number((d.mono - process.hrtime.bigint()) / 1_000_000n), d.wall - Date.now()));

/** What a run's process is told (one JSON line on its lease pipe). */
export const toWire = (d: Instant) => JSON.stringify({ mono: d.mono.toString(), wall: d.wall });

/** The connection was closed under the request before any answer: the server died mid-request, or a TCP proxy found no server behind it (or, harmlessly, a kept-alive connection timed out just then). */
export function isConnectionReset(err: unknown): boolean {
  return err instanceof UnreachableError && (err.code === "ECONNRESET" || err.code === "UND_ERR_SOCKET" || err.code === "EPIPE");
}

/**
 * A failed renewal that shows the server could not hear anyone, so it is not reaping either:
 * nothing listening at its address, the connection closed unanswered twice in a row (the second
 * time on a fresh try, so not a kept-alive connection that happened to time out), our API's own
 * "database unreachable" 503, or a proxy's 502 or 504 (no instance behind it answered). The
 * server waits a full lease period after such an outage before it reaps
 * (server/orchestration/hearing.ts), so the agent may count its lease from this attempt. A
 * timeout proves nothing (a partition looks the same), so it never extends a lease.
 */
export function provesServerCannotHear(err: unknown, { afterReset = false } = {}): boolean {
  if (err instanceof UnreachableError) return err.code === "ECONNREFUSED" || (afterReset && isConnectionReset(err));
  if (err instanceof ApiError) return err.status === 502 || err.status === 504 || (err.status === 503 && err.code === "unavailable");
  return false;
}
