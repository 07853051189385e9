"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/provider";
import { RelativeTime } from "@/app/_components/relative-time";
import { Alert, Button, EmptyState, Table, Td, Th } from "@/app/_components/ui";
import { describeAction, summariseDetails } from "./describe-audit-event";

export function AuditLogTable({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const events = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { workspace: slug, limit: 50 },
      // Non-owners get FORBIDDEN with a message saying why; retrying won't change that.
      { getNextPageParam: (page) => page.nextCursor, retry: false },
    ),
  );

  if (events.isPending) return <p className="text-slate-500">Loading…</p>;
  // A failed "Load more" also sets isError, but keeps the pages already loaded: show those.
  if (events.isError && !events.data) return <Alert>{events.error.message}</Alert>;

  const items = events.data.pages.flatMap((page) => page.items);
  if (items.length === 0) {
    return <EmptyState title="No events yet">Changes to members, invitations, API keys, settings, deployments, schedules, work pools and automations, and runs people start, cancel or retry, are recorded here.</EmptyState>;
  }

  return (
    <div className="flex flex-col items-start gap-3">
      <Table label="Audit log">
        <thead>
          <tr>
            <Th>Time</Th>
            <Th>Actor</Th>
            <Th>Action</Th>
            <Th>Target</Th>
            <Th>Details</Th>
            <Th>IP</Th>
          </tr>
        </thead>
        <tbody>
          {items.map((event) => (
            <tr key={event.id}>
              <Td className="whitespace-nowrap text-slate-600">
                <RelativeTime value={event.createdAt} />
              </Td>
              <Td>{event.actorLabel}</Td>
              <Td>
                <span title={event.action}>{describeAction(event.action)}</span>
              </Td>
              <Td>{event.targetLabel ?? <span className="text-slate-400">{event.targetType}</span>}</Td>
              <Td className="text-slate-600">{summariseDetails(event.details)}</Td>
              <Td className="font-mono text-xs text-slate-600">{event.ip ?? ""}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
      {events.hasNextPage && (
        <Button variant="secondary" onClick={() => events.fetchNextPage()} disabled={events.isFetchingNextPage}>
          Load more
        </Button>
      )}
      {events.isFetchNextPageError && <Alert>{events.error.message}</Alert>}
    </div>
  );
}
