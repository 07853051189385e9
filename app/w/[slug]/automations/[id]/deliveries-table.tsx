"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Fragment, useState } from "react";
import type { StateType } from "@/agent/protocol/states";
import { RelativeTime } from "@/app/_components/relative-time";
import { StateBadge } from "@/app/_components/state-badge";
import { Alert, Badge, Button, Table, Td, Th } from "@/app/_components/ui";
import { useTRPC } from "@/app/_trpc/provider";
import { DESTINATION_LABELS, DeliveryStatusBadge, type DeliveryView } from "../_components/describe-automation";

const EVENT_LABELS: Record<string, string> = { RunningTooLong: "Running too long", NoSuccess: "No success", AgentOffline: "Agent offline", Test: "Test", Digest: "Digest" };
const OUTCOMES = { sent: "Sent", retry: "Will retry", failed: "Failed", kept: "Kept (dev mailbox)" } as const;

export function DeliveriesTable({ slug, automationId }: { slug: string; automationId: string }) {
  const trpc = useTRPC();
  const deliveries = useInfiniteQuery(
    trpc.automations.deliveries.infiniteQueryOptions(
      { workspace: slug, automationId, limit: 25 },
      { getNextPageParam: (page) => page.nextCursor },
    ),
  );
  const [open, setOpen] = useState<Set<string>>(new Set());

  if (deliveries.isPending) return <p className="text-slate-500">Loading…</p>;
  if (deliveries.isError && !deliveries.data) return <Alert>{deliveries.error.message}</Alert>;
  const items = deliveries.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <p className="text-slate-600">Nothing delivered yet. Alerts appear here as they are sent; press Send test above to try an action now.</p>;

  const toggle = (id: string) => setOpen((s) => {
    const next = new Set(s);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });

  return (
    <div className="flex flex-col gap-3">
      <Table label="Deliveries">
        <thead>
          <tr>
            <Th>Time</Th>
            <Th>Event</Th>
            <Th>Run</Th>
            <Th>Action</Th>
            <Th>Status</Th>
            <Th>Attempts</Th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <Fragment key={d.id}>
              <tr>
                <Td className="whitespace-nowrap text-sm">
                  <RelativeTime value={d.createdAt} />
                </Td>
                <Td className="text-sm">
                  <EventCell delivery={d} />
                </Td>
                <Td className="text-sm">
                  {d.run ? (
                    <Link href={`/w/${slug}/runs/${d.run.id}`} className="text-sky-800 hover:underline">
                      {d.run.name ?? "a deleted run"}
                    </Link>
                  ) : (
                    <span className="text-slate-400">—</span>
                  )}
                </Td>
                <Td className="text-sm">
                  {DESTINATION_LABELS[d.destination.kind]} <span className="text-slate-600">{d.destination.target}</span>
                </Td>
                <Td className="text-sm">
                  <DeliveryStatusBadge status={d.status} />
                  {d.digest && <span className="ml-1 text-xs text-slate-500">digest {d.digest.status === "sent" ? "delivered" : d.digest.status}</span>}
                  {d.status !== "sent" && d.lastError && <p className="max-w-xs truncate text-xs text-red-700" title={d.lastError}>{d.lastError}</p>}
                </Td>
                <Td className="text-sm">
                  {d.attempts.length === 0 ? (
                    <span className="text-slate-500">none</span>
                  ) : (
                    <button type="button" aria-expanded={open.has(d.id)} onClick={() => toggle(d.id)} className="text-sky-800 hover:underline">
                      {d.attempts.length === 1 ? "1 attempt" : `${d.attempts.length} attempts`}
                    </button>
                  )}
                </Td>
              </tr>
              {open.has(d.id) && (
                <tr>
                  <td colSpan={6} className="border-b border-slate-100 bg-slate-50 px-6 py-2">
                    <ol className="flex flex-col gap-1 text-sm">
                      {d.attempts.map((at, i) => (
                        <li key={i} className="flex flex-wrap items-center gap-3">
                          <RelativeTime value={at.at} />
                          <Badge tone={at.outcome === "sent" ? "green" : at.outcome === "failed" ? "red" : at.outcome === "retry" ? "amber" : "slate"}>{OUTCOMES[at.outcome]}</Badge>
                          {at.detail ? (
                            <span>
                              {at.detail}
                              {at.runId && (
                                <>
                                  {" "}
                                  <Link href={`/w/${slug}/runs/${at.runId}`} className="text-sky-800 hover:underline">
                                    open run
                                  </Link>
                                </>
                              )}
                            </span>
                          ) : (
                            <span>{at.responseCode ? `HTTP ${at.responseCode}` : "no response"}</span>
                          )}
                          <span className="text-slate-500">{at.durationMs} ms</span>
                          {at.error && <span className="text-red-700">{at.error}</span>}
                        </li>
                      ))}
                    </ol>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </Table>
      {deliveries.hasNextPage && (
        <Button variant="secondary" className="self-start" disabled={deliveries.isFetchingNextPage} onClick={() => deliveries.fetchNextPage()}>
          {deliveries.isFetchingNextPage ? "Loading…" : "Load older deliveries"}
        </Button>
      )}
    </div>
  );
}

const STATE_EVENTS: Record<string, StateType> = { Completed: "COMPLETED", Failed: "FAILED", Crashed: "CRASHED", Cancelled: "CANCELLED", Late: "SCHEDULED" };

function EventCell({ delivery: d }: { delivery: DeliveryView }) {
  const event = d.event ?? "—";
  const type = STATE_EVENTS[event];
  if (type) return <StateBadge type={type} name={event} />;
  return <span>{EVENT_LABELS[event] ?? event}</span>;
}
